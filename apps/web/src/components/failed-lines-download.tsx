/**
 * Downloads every failed line of an import (not only the page shown) as NDJSON, exactly as the
 * server has it, or as CSV with one row per error for spreadsheets.
 */
import { useState } from 'react'
import { api } from '@labelport/core'
import type { StatusLine } from '../api-client.ts'
import { useClient } from '../client-context.ts'
import { formatIssuePath } from './ui.tsx'

const CSV_HEADER = ['line', 'data_row_id', 'global_key', 'uuid', 'code', 'message', 'path']

function csvCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One CSV row per error of each failed line (a line without errors still gets its row). */
export function failedLinesCsv(lines: readonly StatusLine[]): string {
  const rows = [CSV_HEADER.join(',')]
  for (const s of lines) {
    const errors = s.errors && s.errors.length > 0 ? s.errors : [undefined]
    for (const e of errors)
      rows.push(
        [
          s.line,
          s.dataRow.id,
          s.dataRow.globalKey,
          s.uuid,
          e?.code,
          e?.message,
          e ? formatIssuePath(e.path) : '',
        ]
          .map(csvCell)
          .join(','),
      )
  }
  return `${rows.join('\r\n')}\r\n`
}

function save(text: string, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function FailedLinesDownload({
  importId,
  jobName,
  disabled,
}: {
  importId: string
  jobName: string
  disabled: boolean
}) {
  const client = useClient()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const base = jobName.replace(/[^\w.-]+/g, '_') || importId
  const download = async (format: 'ndjson' | 'csv') => {
    setBusy(true)
    setError(null)
    try {
      const query = { status: 'FAILURE' }
      if (format === 'ndjson')
        save(
          await client.text(api.getImportStatuses, { importId }, query),
          'application/x-ndjson',
          `${base}-failed-lines.ndjson`,
        )
      else
        save(
          failedLinesCsv(
            await client.ndjson<StatusLine>(api.getImportStatuses, { importId }, query),
          ),
          'text/csv',
          `${base}-failed-lines.csv`,
        )
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <span className="lp-toolbar lp-toolbar--inline" data-testid="failed-lines-download">
      <span className="lp-muted lp-small">Download all:</span>
      <button
        type="button"
        className="lp-button lp-button--small"
        disabled={disabled || busy}
        onClick={() => void download('ndjson')}
        data-testid="download-failed-ndjson"
      >
        NDJSON
      </button>
      <button
        type="button"
        className="lp-button lp-button--small"
        disabled={disabled || busy}
        onClick={() => void download('csv')}
        data-testid="download-failed-csv"
      >
        CSV
      </button>
      {error && <span className="lp-text-bad lp-small">{error}</span>}
    </span>
  )
}
