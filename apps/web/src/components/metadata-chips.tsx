/** A data row's metadata fields as `name: value` chips (dataset grid, data-row view). */
import type { MetadataField } from '@labelport/core'

export function MetadataChips({ fields, testId }: { fields: MetadataField[]; testId?: string }) {
  return (
    <ul className="lp-metadata" data-testid={testId} aria-label="Metadata">
      {fields.map((f) => (
        <li key={f.name} className="lp-metadata__field" title={`${f.name}: ${f.value}`}>
          <span className="lp-metadata__name">{f.name}</span>
          <span className="lp-metadata__value">{f.value}</span>
        </li>
      ))}
    </ul>
  )
}
