/**
 * The GraphQL schema Labelbox's Python SDK 3.77.1 talks to, limited to the calls of the guide
 * "Import image annotations" (see README.md "Coming from Labelbox"). Anything else fails
 * validation and is answered as not supported by Labelport.
 */
import {
  Kind,
  buildSchema,
  type GraphQLScalarType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql'

const SDL = /* GraphQL */ `
  scalar DateTime
  scalar Json
  scalar Upload
  "Labelbox's media types; Labelport answers IMAGE and refuses the others with a coded error"
  scalar MediaType

  input WhereUniqueIdInput {
    id: ID!
  }
  input ConnectIdInput {
    connect: WhereUniqueIdInput!
  }

  type Organization {
    id: ID!
    name: String!
    createdAt: DateTime
    updatedAt: DateTime
  }

  input TaskWhereInput {
    id: ID
  }
  type User {
    id: ID!
    name: String
    nickname: String
    email: String
    picture: String
    intercomHash: String
    isExternalUser: Boolean
    isViewer: Boolean
    createdAt: DateTime
    updatedAt: DateTime
    createdTasks(where: TaskWhereInput, skip: Int, first: Int): [Task!]!
  }

  type AwsIamIntegrationSettings {
    roleArn: String
  }
  type GcpIamIntegrationSettings {
    serviceAccountEmailId: String
    readBucket: String
  }
  union IamIntegrationSettings = AwsIamIntegrationSettings | GcpIamIntegrationSettings
  type IamIntegration {
    id: ID!
    name: String
    provider: String
    isOrgDefault: Boolean
    valid: Boolean
    lastValidAt: DateTime
    createdAt: DateTime
    updatedAt: DateTime
    settings: IamIntegrationSettings
  }

  type Dataset {
    id: ID!
    name: String!
    description: String
    rowCount: Int!
    createdAt: DateTime
    updatedAt: DateTime
  }
  input DatasetCreateInput {
    name: String!
    description: String
  }
  input DatasetUpdateInput {
    deleted: Boolean
  }

  type UploadedFile {
    url: String!
    filename: String!
  }

  input UpsertDataRowsInput {
    manifestUri: String!
  }
  type Task {
    id: ID!
    name: String
    type: String
    status: String!
    completionPercentage: Float
    result: String
    errors: String
    metadata: Json
    createdAt: DateTime
    updatedAt: DateTime
  }
  input DataRowImportsInput {
    taskId: ID!
    first: Int
    from: String
  }
  type DataRowMetadataField {
    schemaId: String
    value: String
    name: String
  }
  type DataRowAttachment {
    type: String
    value: String
    name: String
  }
  type DataRowSpec {
    externalId: String
    globalKey: String
    rowData: String
    metadata: [DataRowMetadataField!]!
    attachments: [DataRowAttachment!]!
  }
  type FailedDataRowImport {
    message: String!
    spec: DataRowSpec!
  }
  type FailedDataRowImports {
    after: String
    total: Int!
    results: [FailedDataRowImport!]!
  }
  type DataRowImportNode {
    id: ID!
    externalId: String
    globalKey: String
    rowData: String
  }
  type SuccessfulDataRowImports {
    after: String
    total: Int!
    nodes: [DataRowImportNode!]!
  }

  type Ontology {
    id: ID!
    name: String!
    description: String
    normalized: Json
    classificationSchemaCount: Int
    objectSchemaCount: Int
    createdAt: DateTime
    updatedAt: DateTime
  }
  input UpsertOntologyInput {
    name: String!
    normalized: String!
    mediaType: MediaType
  }

  type LabelingFrontend {
    id: ID!
    name: String!
    description: String
    iframeUrlPath: String
  }
  input LabelingFrontendWhereInput {
    AND: [LabelingFrontendWhereInput!]
    name: String
    deleted: Boolean
  }
  type LabelingFrontendOptions {
    id: ID!
    customizationOptions: String
  }
  input LabelingFrontendOptionsCreateInput {
    project: ConnectIdInput!
    labelingFrontend: ConnectIdInput!
    customizationOptions: String
  }

  type Project {
    id: ID!
    name: String!
    description: String
    createdAt: DateTime
    updatedAt: DateTime
    setupComplete: DateTime
    lastActivityTime: DateTime
    queueMode: String!
    allowedMediaType: String
    autoAuditNumberOfLabels: Int
    autoAuditPercentage: Float
    dataRowCount: Int
    editorTaskType: String
    isBenchmarkEnabled: Boolean
    isConsensusEnabled: Boolean
    modelSetupComplete: Boolean
    uploadType: String
    ontology: Ontology
    labelingFrontend: LabelingFrontend
  }
  input ProjectCreateInput {
    name: String!
    description: String
    allowedMediaType: MediaType
    autoAuditNumberOfLabels: Int
    autoAuditPercentage: Float
    isBenchmarkEnabled: Boolean
    isConsensusEnabled: Boolean
  }
  input ProjectUpdateInput {
    setupComplete: DateTime
    labelingFrontend: ConnectIdInput
  }

  type Batch {
    id: ID!
    name: String!
    size: Int!
    consensusSettingsJson: Json
    createdAt: DateTime
    updatedAt: DateTime
  }
  input CreateBatchInput {
    name: String!
    dataRowIds: [ID!]
    globalKeys: [ID!]
    priority: Int
    consensusSettings: Json
  }
  type CreateBatchResult {
    batch: Batch!
    failedDataRowIds: [ID!]!
  }
  type DataRowsProcessed {
    allDataRowsHaveBeenProcessed: Boolean!
  }
  type ProjectMutations {
    connectOntology(ontologyId: ID!): Project
    createBatchV2(input: CreateBatchInput!): CreateBatchResult!
  }

  type AnnotationImport {
    id: ID!
    name: String!
    state: String!
    progress: String
    inputFileUrl: String
    errorFileUrl: String
    statusFileUrl: String
    project: Project!
  }
  input FilePayloadInput {
    file: Upload!
    contentLength: Int
  }
  input AnnotationImportCreateInput {
    projectId: ID!
    name: String!
    filePayload: FilePayloadInput
    fileUrl: String
  }
  input AnnotationImportWhereInput {
    projectId: ID!
    name: String!
  }

  type Query {
    user(where: WhereUniqueIdInput): User
    organization: Organization
    iamIntegrations: [IamIntegration!]!
    dataset(where: WhereUniqueIdInput!): Dataset
    project(where: WhereUniqueIdInput!): Project
    labelingFrontends(
      where: LabelingFrontendWhereInput
      skip: Int
      first: Int
    ): [LabelingFrontend!]!
    failedDataRowImports(data: DataRowImportsInput!): FailedDataRowImports!
    successesfulDataRowImports(data: DataRowImportsInput!): SuccessfulDataRowImports!
    queryAllDataRowsHaveBeenProcessed(globalKeys: [ID!], dataRowIds: [ID!]): DataRowsProcessed!
    modelAssistedLabelingPredictionImport(where: AnnotationImportWhereInput!): AnnotationImport
    labelImport(where: AnnotationImportWhereInput!): AnnotationImport
  }

  type Mutation {
    createDataset(data: DatasetCreateInput!): Dataset!
    updateDataset(where: WhereUniqueIdInput!, data: DatasetUpdateInput!): Dataset
    uploadFile(file: Upload!, contentLength: Int!, sign: Boolean): UploadedFile!
    upsertDataRows(data: UpsertDataRowsInput!): Task!
    upsertOntology(data: UpsertOntologyInput!): Ontology!
    createProject(data: ProjectCreateInput!): Project!
    updateProject(where: WhereUniqueIdInput!, data: ProjectUpdateInput!): Project
    createLabelingFrontendOptions(
      data: LabelingFrontendOptionsCreateInput!
    ): LabelingFrontendOptions!
    project(where: WhereUniqueIdInput!): ProjectMutations
    createModelAssistedLabelingPredictionImport(
      data: AnnotationImportCreateInput!
    ): AnnotationImport!
    createLabelImport(data: AnnotationImportCreateInput!): AnnotationImport!
  }
`

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value)
    case Kind.BOOLEAN:
      return node.value
    case Kind.NULL:
      return null
    case Kind.LIST:
      return node.values.map(literal)
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]))
    case Kind.VARIABLE:
      return undefined
  }
}

/** Labelbox's SDK parses `%Y-%m-%dT%H:%M:%S.%fZ`: always answer with milliseconds. */
function toDateTime(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const date = new Date(value as string)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

export function buildLabelboxSchema(): GraphQLSchema {
  const schema = buildSchema(SDL)
  const patch = (name: string, config: Partial<GraphQLScalarType>) =>
    Object.assign(schema.getType(name) as GraphQLScalarType, config)
  patch('DateTime', {
    serialize: toDateTime,
    parseValue: (v: unknown) => v,
    parseLiteral: literal,
  })
  for (const name of ['Json', 'Upload', 'MediaType'])
    patch(name, {
      serialize: (v: unknown) => v,
      parseValue: (v: unknown) => v,
      parseLiteral: literal,
    })
  return schema
}
