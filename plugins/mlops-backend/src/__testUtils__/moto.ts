import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import JSZip from 'jszip';
import { randomBytes } from 'node:crypto';

export const MOTO_REGION = 'us-east-1';
export const MOTO_CREDENTIALS = {
  accessKeyId: 'test',
  secretAccessKey: 'test',
};

/**
 * Lambda functions, IAM roles and S3 artefacts on a moto server. Names are
 * unique per instance: the moto server may be shared by other test runs, so
 * it is never reset.
 */
export class MotoLambda {
  readonly lambda: LambdaClient;
  readonly s3: S3Client;
  readonly iam: IAMClient;
  readonly suffix = randomBytes(4).toString('hex');
  readonly bucket = `mlops-artifacts-${this.suffix}`;
  private roleArn?: string;

  constructor(readonly endpoint: string) {
    const common = {
      endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    };
    this.lambda = new LambdaClient(common);
    this.iam = new IAMClient(common);
    this.s3 = new S3Client({
      ...common,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** A Lambda code package whose handler returns the given label. */
  static async codeZip(label: string): Promise<Buffer> {
    const zip = new JSZip();
    zip.file(
      'lambda_function.py',
      `def handler(event, context):\n    return {"model": ${JSON.stringify(
        label,
      )}}\n`,
    );
    return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  }

  /** The ARN of a Lambda execution role (created once per instance). */
  async role(): Promise<string> {
    if (!this.roleArn) {
      const { Role } = await this.iam.send(
        new CreateRoleCommand({
          RoleName: `mlops-test-${this.suffix}`,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'lambda.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      await this.s3.send(new CreateBucketCommand({ Bucket: this.bucket }));
      this.roleArn = Role!.Arn!;
    }
    return this.roleArn;
  }

  /** Uploads an artefact and returns its s3:// URI. */
  async artifact(label: string): Promise<string> {
    await this.role();
    const key = `models/${label}.zip`;
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: await MotoLambda.codeZip(label),
      }),
    );
    return `s3://${this.bucket}/${key}`;
  }

  /**
   * A function with version 1 published and, unless `withAlias` is false,
   * the alias on version 1.
   */
  async createFunction(
    name: string,
    options: { alias?: string; withAlias?: boolean } = {},
  ): Promise<string> {
    const functionName = `${name}-${this.suffix}`;
    await this.lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: 'python3.12',
        Role: await this.role(),
        Handler: 'lambda_function.handler',
        Code: { ZipFile: await MotoLambda.codeZip('initial') },
      }),
    );
    const { Version } = await this.lambda.send(
      new PublishVersionCommand({ FunctionName: functionName }),
    );
    if (options.withAlias !== false) {
      await this.lambda.send(
        new CreateAliasCommand({
          FunctionName: functionName,
          Name: options.alias ?? 'live',
          FunctionVersion: Version,
        }),
      );
    }
    return functionName;
  }

  async alias(functionName: string, name = 'live') {
    return this.lambda.send(
      new GetAliasCommand({ FunctionName: functionName, Name: name }),
    );
  }
}
