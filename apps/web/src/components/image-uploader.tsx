/**
 * Adds images to a dataset: files or folders dropped or picked, or pasted URLs. Each file is
 * uploaded with its own progress (XMLHttpRequest reports upload progress; fetch does not), then
 * becomes a data row whose global key defaults to the file's relative path. A failure (duplicate
 * global key, not an image, too large) is shown on its file with a Retry; the others go on.
 */
import { useRef, useState } from 'react'
import type { DragEvent } from 'react'
import { api } from '@labelport/core'
import type { Task, Upload } from '@labelport/core'
import { ApiError, apiErrorOf } from '../api-client.ts'
import type { ApiClient } from '../api-client.ts'
import { useClient } from '../client-context.ts'

const CONCURRENCY = 4

interface Item {
  id: number
  label: string
  globalKey: string
  file: File | null
  url: string | null
  state: 'queued' | 'uploading' | 'creating' | 'done' | 'failed'
  progress: number
  error: string | null
}

function uploadWithProgress(
  client: ApiClient,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', api.createUpload.path)
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream')
    xhr.setRequestHeader('x-labelport-csrf', '1')
    if (client.apiKey) xhr.setRequestHeader('authorization', `Bearer ${client.apiKey}`)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = JSON.parse(xhr.responseText) as unknown
      } catch {
        // not JSON: keep the status
      }
      if (xhr.status >= 300) reject(apiErrorOf(xhr.status, body))
      else {
        const upload = api.createUpload.response.safeParse(body)
        if (upload.success) resolve(upload.data)
        else reject(apiErrorOf(500, null))
      }
    }
    xhr.onerror = () => reject(new Error('the connection failed'))
    xhr.send(file)
  })
}

async function waitForTask(client: ApiClient, taskId: string): Promise<Task> {
  for (;;) {
    const task = await client.json(api.getTask, { taskId })
    if (task.status !== 'IN_PROGRESS') return task
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Files of a drop, folders walked, each with its path relative to what was dropped. */
async function droppedFiles(event: DragEvent): Promise<{ file: File; path: string }[]> {
  const out: { file: File; path: string }[] = []
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      )
      out.push({ file, path: `${prefix}${file.name}` })
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader()
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
          reader.readEntries(resolve, reject),
        )
        if (batch.length === 0) break
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`)
      }
    }
  }
  const entries = [...event.dataTransfer.items]
    .map((item) => item.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null)
  if (entries.length > 0) for (const entry of entries) await walk(entry, '')
  else for (const file of event.dataTransfer.files) out.push({ file, path: file.name })
  return out
}

export function ImageUploader({ datasetId, onAdded }: { datasetId: string; onAdded: () => void }) {
  const client = useClient()
  const [items, setItems] = useState<Item[]>([])
  const [urls, setUrls] = useState('')
  const [over, setOver] = useState(false)
  const nextId = useRef(1)
  const running = useRef(0)
  const queue = useRef<Item[]>([])

  const patch = (id: number, change: Partial<Item>) =>
    setItems((all) => all.map((i) => (i.id === id ? { ...i, ...change } : i)))

  const runOne = async (item: Item) => {
    try {
      let rowData = item.url ?? ''
      if (item.file) {
        patch(item.id, { state: 'uploading', progress: 0, error: null })
        const upload = await uploadWithProgress(client, item.file, (p) =>
          patch(item.id, { progress: Math.round(p * 100) }),
        )
        rowData = upload.uri
      }
      patch(item.id, { state: 'creating', progress: 100, error: null })
      const task = await client.send(
        api.createDataRows,
        { datasetId },
        { items: [{ rowData, globalKey: item.globalKey }] },
      )
      const done = await waitForTask(client, task.id)
      const failure = done.errors[0]
      if (failure) patch(item.id, { state: 'failed', error: `${failure.code}: ${failure.message}` })
      else {
        patch(item.id, { state: 'done' })
        onAdded()
      }
    } catch (e) {
      patch(item.id, {
        state: 'failed',
        error: e instanceof ApiError ? `${e.code}: ${e.message}` : String(e),
      })
    }
  }

  const pump = () => {
    while (running.current < CONCURRENCY && queue.current.length > 0) {
      const item = queue.current.shift()
      if (!item) break
      running.current++
      void runOne(item).finally(() => {
        running.current--
        pump()
      })
    }
  }

  const enqueue = (added: Omit<Item, 'id' | 'state' | 'progress' | 'error'>[]) => {
    const made = added.map((a) => ({
      ...a,
      id: nextId.current++,
      state: 'queued' as const,
      progress: 0,
      error: null,
    }))
    setItems((all) => [...all, ...made])
    queue.current.push(...made)
    pump()
  }
  const addFiles = (files: { file: File; path: string }[]) =>
    enqueue(files.map(({ file, path }) => ({ label: path, globalKey: path, file, url: null })))
  const retry = (item: Item) => {
    patch(item.id, { state: 'queued', progress: 0, error: null })
    queue.current.push(item)
    pump()
  }

  const counts = {
    done: items.filter((i) => i.state === 'done').length,
    failed: items.filter((i) => i.state === 'failed').length,
  }
  return (
    <div className="lp-card" data-testid="image-uploader">
      <h2 className="lp-section-title">Add images</h2>
      <div
        className={over ? 'lp-dropzone lp-dropzone--over' : 'lp-dropzone'}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault()
          setOver(false)
          void droppedFiles(e).then(addFiles)
        }}
      >
        <p>Drop image files or a folder here. The global key of each is its relative path.</p>
        <label className="lp-button lp-button--small">
          Choose files
          <input
            type="file"
            multiple
            accept="image/*"
            hidden
            data-testid="file-input"
            onChange={(e) => {
              addFiles([...(e.target.files ?? [])].map((file) => ({ file, path: file.name })))
              e.target.value = ''
            }}
          />
        </label>
      </div>
      <form
        className="lp-form-row"
        onSubmit={(e) => {
          e.preventDefault()
          const lines = urls
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
          enqueue(
            lines.map((url) => ({
              label: url,
              globalKey: new URL(url).pathname.split('/').filter(Boolean).pop() ?? url,
              file: null,
              url,
            })),
          )
          setUrls('')
        }}
      >
        <label className="lp-field lp-grow">
          <span className="lp-field__label">Image URLs, one per line</span>
          <textarea
            className="lp-input"
            rows={2}
            value={urls}
            onChange={(e) => setUrls(e.target.value)}
          />
        </label>
        <button className="lp-button" type="submit" disabled={!urls.trim()}>
          Add URLs
        </button>
      </form>
      {items.length > 0 && (
        <>
          <p className="lp-muted" data-testid="upload-summary">
            {counts.done} of {items.length} added
            {counts.failed > 0 ? `, ${counts.failed} failed` : ''}
          </p>
          <ul className="lp-upload-list" data-testid="upload-list">
            {items.map((item) => (
              <li
                key={item.id}
                className={`lp-upload lp-upload--${item.state}`}
                data-state={item.state}
              >
                <span className="lp-mono lp-upload__name">{item.label}</span>
                <progress
                  max={100}
                  value={item.progress}
                  aria-label={`Progress of ${item.label}`}
                />
                <span className="lp-upload__state">
                  {item.state === 'failed' ? item.error : item.state}
                </span>
                {item.state === 'failed' && (
                  <button
                    type="button"
                    className="lp-button lp-button--small"
                    onClick={() => retry(item)}
                  >
                    Retry
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}
