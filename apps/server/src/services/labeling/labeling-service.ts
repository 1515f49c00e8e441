/**
 * Labeling use cases (issue 12): the queue and its leases, drafts with versions, submit judged as
 * an import, review. docs/labeling.md is the reading copy of the rules.
 */
import {
  AppError,
  type DraftAnnotation,
  type DraftSaved,
  type LabelResource,
  type LabelingCounts,
  type LabelingRow,
  type LabelingStatus,
  type LabelingView,
  type QueueNext,
  type ReviewDecision,
} from '@labelport/core'
import type { Caller } from '../auth-service.ts'

export interface RowRef {
  projectId: string
  dataRowId: string
}

export type DraftEdit =
  | { op: 'add'; annotation: DraftAnnotation }
  | { op: 'replace'; uuid: string; annotation: DraftAnnotation }
  | { op: 'delete'; uuid: string }

export interface ReviewInput {
  decision: ReviewDecision
  comment: string
  baseVersion?: number | undefined
}

export interface ListRowsQuery {
  status?: LabelingStatus | undefined
  cursor?: string | undefined
  limit?: number | undefined
}

function notYet(): never {
  throw new AppError('unavailable', 'The labeling API is being implemented')
}

export class LabelingService {
  nextToLabel(_caller: Caller, _projectId: string): Promise<QueueNext> {
    notYet()
  }
  skip(_caller: Caller, _row: RowRef, _reason: string): Promise<void> {
    notYet()
  }
  view(_caller: Caller, _row: RowRef): Promise<LabelingView> {
    notYet()
  }
  saveDraft(
    _caller: Caller,
    _row: RowRef,
    _baseVersion: number,
    _annotations: DraftAnnotation[],
  ): Promise<DraftSaved> {
    notYet()
  }
  editDraft(
    _caller: Caller,
    _row: RowRef,
    _baseVersion: number,
    _edit: DraftEdit,
  ): Promise<DraftSaved> {
    notYet()
  }
  submit(_caller: Caller, _row: RowRef, _baseVersion: number): Promise<LabelResource> {
    notYet()
  }
  review(_caller: Caller, _row: RowRef, _input: ReviewInput): Promise<LabelResource> {
    notYet()
  }
  nextToReview(_caller: Caller, _projectId: string): Promise<QueueNext> {
    notYet()
  }
  counts(_caller: Caller, _projectId: string): Promise<LabelingCounts> {
    notYet()
  }
  listRows(
    _caller: Caller,
    _projectId: string,
    _query: ListRowsQuery,
  ): Promise<{ items: LabelingRow[]; nextCursor: string | null }> {
    notYet()
  }
}
