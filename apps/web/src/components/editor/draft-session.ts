/**
 * Autosave of the editor's draft: after an edit the whole draft is written within `delayMs`
 * (default 800 ms, well inside the 2 s promise), one write at a time, each passing the version the
 * last answer gave. A 409 `label_version_conflict` (another tab, another user) or `data_row_leased`
 * stops saving and says so: nothing is overwritten silently.
 */
import type { EditorDocument } from '@labelport/viewer'
import { toDraftAnnotation } from '@labelport/viewer'
import type { DraftAnnotation } from '@labelport/viewer'
import { ApiError } from '../../api-client.ts'

export type SaveStatus =
  | { state: 'saved'; at: Date | null }
  | { state: 'pending' }
  | { state: 'saving' }
  | { state: 'conflict'; code: string; message: string }
  | { state: 'error'; message: string }

export interface DraftWriter {
  (
    annotations: DraftAnnotation[],
    baseVersion: number,
    /** the suggestions rejected so far (undefined: the session does not track them) */
    rejectedSuggestions: string[] | undefined,
  ): Promise<{ version: number }>
}

/**
 * The suggestions rejected so far: those rejected before (recorded with the draft) and those
 * offered when the editor opened that the document no longer holds (rejected, or accepted then
 * deleted). An undo that brings one back takes it off the list.
 */
export function rejectedOf(
  doc: EditorDocument,
  offered: Iterable<string>,
  before: readonly string[],
): string[] {
  const out = new Set(before)
  for (const uuid of offered) if (!doc.get(uuid)) out.add(uuid)
  return [...out].sort()
}

/** The draft of a document: every record except undecided suggestions. */
export function draftOf(doc: EditorDocument): DraftAnnotation[] {
  const out: DraftAnnotation[] = []
  for (const item of doc.all())
    if (!item.suggestion) out.push(toDraftAnnotation(item, doc.imageWidth, doc.imageHeight))
  return out
}

export class DraftSession {
  version: number
  status: SaveStatus = { state: 'saved', at: null }
  private readonly doc: EditorDocument
  private readonly write: DraftWriter
  private readonly delayMs: number
  private timer: ReturnType<typeof setTimeout> | null = null
  private inFlight: Promise<void> | null = null
  private dirtyRevision: number
  private savedRevision: number
  private readonly listeners = new Set<() => void>()
  private readonly unsubscribe: () => void
  private stopped = false
  private readonly rejected: (() => string[]) | undefined

  constructor(
    doc: EditorDocument,
    version: number,
    write: DraftWriter,
    delayMs = 800,
    /** what rejectedOf says now; each write sends it */
    rejected?: () => string[],
  ) {
    this.doc = doc
    this.version = version
    this.write = write
    this.delayMs = delayMs
    this.rejected = rejected
    this.savedRevision = doc.revision
    this.dirtyRevision = doc.revision
    this.unsubscribe = doc.onChange(() => {
      this.dirtyRevision = doc.revision
      // a drag or a stroke saves when it ends, not at every move
      if (!doc.inGesture) this.schedule()
      else this.set({ state: 'pending' })
    })
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private set(status: SaveStatus): void {
    if (this.status.state === 'conflict' && status.state !== 'conflict') return
    this.status = status
    for (const listener of this.listeners) listener()
  }

  get dirty(): boolean {
    return this.dirtyRevision !== this.savedRevision
  }

  /** Called when a gesture ends (the document's change during a gesture does not schedule). */
  schedule(): void {
    if (this.stopped || this.status.state === 'conflict') return
    this.set({ state: 'pending' })
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.flush()
    }, this.delayMs)
  }

  /** Writes now if anything is unsaved; resolves when the draft on the server is current. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    while (this.inFlight) await this.inFlight
    if (!this.dirty || this.stopped || this.status.state === 'conflict') return
    const revision = this.dirtyRevision
    this.set({ state: 'saving' })
    this.inFlight = (async () => {
      try {
        const saved = await this.write(draftOf(this.doc), this.version, this.rejected?.())
        this.version = saved.version
        this.savedRevision = revision
        this.set(this.dirty ? { state: 'pending' } : { state: 'saved', at: new Date() })
      } catch (error) {
        if (
          error instanceof ApiError &&
          (error.code === 'label_version_conflict' ||
            error.code === 'data_row_leased' ||
            error.code === 'label_not_editable')
        )
          this.set({ state: 'conflict', code: error.code, message: error.message })
        else
          this.set({
            state: 'error',
            message: error instanceof Error ? error.message : String(error),
          })
      } finally {
        this.inFlight = null
      }
    })()
    await this.inFlight
    // edits made while the write was in flight go in the next one
    const after = this.status as SaveStatus
    if (this.dirty && after.state !== 'conflict' && after.state !== 'error') this.schedule()
  }

  /** Forget unsaved work (after a submit, or when the page is replaced). */
  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.unsubscribe()
  }
}
