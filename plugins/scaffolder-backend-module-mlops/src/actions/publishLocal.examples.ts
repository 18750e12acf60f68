import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Publish the whole workspace as a project that the catalog reads from disk',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'mlops:publish:local',
          name: 'Publish to the local project directory',
          input: { name: 'churn-lite' },
        },
      ],
    }),
  },
  {
    description:
      'Publish one folder of the workspace whose entity file has another name',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'mlops:publish:local',
          name: 'Publish the generated project folder',
          input: {
            name: 'churn-ray',
            sourcePath: 'project',
            catalogInfoPath: 'catalog/model.yaml',
          },
        },
      ],
    }),
  },
];
