import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Start the first training run of the model a previous step registered',
    example: yaml.stringify({
      steps: [
        {
          id: 'train',
          action: 'mlops:training:trigger',
          name: 'Start the first training run',
          input: { entityRef: 'mlmodel:default/churn-lite' },
        },
      ],
    }),
  },
  {
    description:
      'Start a run with declared parameters, waiting up to five minutes for the catalog to ingest the model',
    example: yaml.stringify({
      steps: [
        {
          id: 'train',
          action: 'mlops:training:trigger',
          name: 'Train with a deeper model',
          input: {
            entityRef: 'churn-lite',
            parameters: { max_depth: 8, balance_classes: true },
            waitSeconds: 300,
          },
        },
      ],
    }),
  },
];
