/**
 * The project page's import of another tool's file (COCO, YOLO or Pascal VOC as a ZIP, CVAT,
 * LabelMe, Label Studio, Labelbox): the format picker, and what a dry run found — the format, the
 * features and whether they map onto the ontology, the file's own problems — before the import.
 */
import type { FormatImportResult } from '@labelport/core'
import type { ApiError } from '../api-client.ts'
import { href } from '../router.ts'

/** `ndjson`: the normal import; the others go through POST …/imports/formats. */
export const FILE_FORMATS = [
  ['ndjson', 'NDJSON (Labelport, Labelbox SDK)'],
  ['auto', 'Another tool’s format (detect it)'],
  ['coco', 'COCO instances JSON'],
  ['yolo', 'YOLO (ZIP of the dataset folder)'],
  ['voc', 'Pascal VOC (ZIP of the dataset folder)'],
  ['cvat', 'CVAT for images 1.1 XML'],
  ['labelme', 'LabelMe JSON (or a ZIP of a folder)'],
  ['labelstudio', 'Label Studio JSON export'],
  ['labelbox', 'Labelbox export v2 NDJSON'],
] as const
export type FileFormat = (typeof FILE_FORMATS)[number][0]

export function FormatPicker({
  value,
  onChange,
}: {
  value: FileFormat
  onChange: (format: FileFormat) => void
}) {
  return (
    <label className="lp-field">
      <span className="lp-field__label">File format</span>
      <select
        className="lp-input"
        value={value}
        onChange={(e) => onChange(e.target.value as FileFormat)}
      >
        {FILE_FORMATS.map(([format, label]) => (
          <option key={format} value={format}>
            {label}
          </option>
        ))}
      </select>
    </label>
  )
}

/** The features of the file the ontology lacks (a 422 format_features_unmapped), one a line. */
export function UnmappedFeatures({ error }: { error: ApiError }) {
  return (
    <div className="lp-notice lp-notice--error" role="alert" data-testid="format-unmapped">
      <strong>
        These features of the file are not in the project’s ontology; nothing was written
      </strong>
      <ul>
        {error.issues.map((issue) => (
          <li key={String(issue.path[1])} data-feature={String(issue.path[1])}>
            {issue.message}
          </li>
        ))}
      </ul>
    </div>
  )
}

/** What a dry run (or an import) of a foreign file read. */
export function FormatImportSummary({ result }: { result: FormatImportResult }) {
  const errors = result.issues.filter((i) => !i.warning)
  return (
    <div className="lp-notice" data-testid="format-summary">
      <p>
        <strong data-testid="format-detected">{result.format}</strong>: {result.images} images,{' '}
        {result.objects} objects, {result.features.length} features
        {result.issueCount > 0 && `, ${result.issueCount} problems in the file`}.
      </p>
      {result.job === null && result.features.length > 0 && (
        <p>The project has no ontology yet: the import makes one with these tools.</p>
      )}
      <ul data-testid="format-features">
        {result.features.map((f) => (
          <li key={f.name} data-objects={f.objects}>
            {f.name} <span className="lp-muted">({f.tool})</span> {f.objects} objects
          </li>
        ))}
      </ul>
      {errors.length > 0 && (
        <ul data-testid="format-issues">
          {errors.slice(0, 20).map((i, n) => (
            <li key={n}>
              {i.code}: {i.source.file} {i.source.element ?? ''} {i.message}
            </li>
          ))}
        </ul>
      )}
      {result.job && (
        <a href={href.importJob(result.job.id)} data-testid="format-dry-run-job">
          {result.job.dryRun ? 'Open the dry run: every object’s verdict' : 'Open the import'}
        </a>
      )}
    </div>
  )
}
