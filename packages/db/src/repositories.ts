/** Every repository on one connection: what the server's composition root hands to its services. */
import type { Connection } from './connect.ts'
import { AnnotationRepository } from './annotation-repository.ts'
import { DatasetRepository } from './dataset-repository.ts'
import { DeletionRepository } from './deletion-repository.ts'
import { EvaluationRepository } from './evaluation-repository.ts'
import { GraphqlStateRepository } from './graphql-state.ts'
import { IdentityStore } from './identity-store.ts'
import { ImportJobRepository } from './import-job-repository.ts'
import { ImportRevertRepository } from './import-revert-repository.ts'
import { JobRepository } from './jobs.ts'
import { LabelRepository } from './label-repository.ts'
import { MaskOwners } from './mask-owners.ts'
import { OntologyRepository } from './ontology-repository.ts'
import { ProjectRepository } from './project-repository.ts'
import { TaskRepository } from './task-repository.ts'

export interface Repositories {
  datasets: DatasetRepository
  tasks: TaskRepository
  ontologies: OntologyRepository
  projects: ProjectRepository
  importJobs: ImportJobRepository
  annotations: AnnotationRepository
  /** which organizations may read each stored composite mask */
  maskOwners: MaskOwners
  evaluations: EvaluationRepository
  /** users, sessions, API keys, audit events */
  identity: IdentityStore
  /** job ownership: leases, claims, checkpoints (imports and tasks) */
  jobs: JobRepository
  graphqlState: GraphqlStateRepository
  /** deletes that leave nothing orphaned, and their impact counted first */
  deletions: DeletionRepository
  /** labeling: label states, drafts, leases, skips, versions, reviews (migration 0008) */
  labels: LabelRepository
  /** cancel, preview and revert of imports (migration 0009) */
  importReverts: ImportRevertRepository
}

export function createRepositories(conn: Connection): Repositories {
  return {
    datasets: new DatasetRepository(conn.db),
    tasks: new TaskRepository(conn.db),
    ontologies: new OntologyRepository(conn.db),
    projects: new ProjectRepository(conn.db),
    importJobs: new ImportJobRepository(conn.db),
    annotations: new AnnotationRepository(conn),
    maskOwners: new MaskOwners(conn.db),
    evaluations: new EvaluationRepository(conn),
    identity: new IdentityStore(conn),
    jobs: new JobRepository(conn),
    graphqlState: new GraphqlStateRepository(conn.db),
    deletions: new DeletionRepository(conn),
    labels: new LabelRepository(conn),
    importReverts: new ImportRevertRepository(conn),
  }
}
