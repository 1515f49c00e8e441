/** An ontology as a tree: tools with their colors, classifications with options nested to any depth. */
import type { NormalizedClassification, NormalizedOntology } from '@labelport/core'
import { TOOL_LABELS } from './annotation-details.tsx'

export function OntologyTree({ ontology }: { ontology: NormalizedOntology }) {
  return (
    <div className="lp-ontology" data-testid="ontology-tree">
      <section>
        <h3 className="lp-ontology__heading">
          Tools <span className="lp-count">{ontology.tools.length}</span>
        </h3>
        <ul className="lp-otree">
          {ontology.tools.map((tool) => (
            <li key={tool.featureSchemaId ?? tool.name} data-testid="ontology-tool">
              <div className="lp-otree__node">
                <span className="lp-swatch" style={{ background: tool.color }} title={tool.color} />
                <span className="lp-otree__name">{tool.name}</span>
                <span className="lp-tag">{TOOL_LABELS[tool.tool] ?? tool.tool}</span>
                <span className="lp-otree__id lp-mono" title="featureSchemaId">
                  {tool.featureSchemaId}
                </span>
              </div>
              {tool.classifications.length > 0 && (
                <ClassificationNodes classifications={tool.classifications} />
              )}
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3 className="lp-ontology__heading">
          Classifications <span className="lp-count">{ontology.classifications.length}</span>
        </h3>
        <ClassificationNodes classifications={ontology.classifications} />
      </section>
    </div>
  )
}

function ClassificationNodes({
  classifications,
}: {
  classifications: readonly NormalizedClassification[]
}) {
  if (classifications.length === 0) return null
  return (
    <ul className="lp-otree">
      {classifications.map((c) => (
        <li key={c.featureSchemaId ?? c.name}>
          <div className="lp-otree__node">
            <span className="lp-otree__glyph" aria-hidden>
              {c.type === 'radio' ? '◉' : c.type === 'checklist' ? '☑' : 'T'}
            </span>
            <span className="lp-otree__name">{c.name}</span>
            <span className="lp-tag">{c.type}</span>
            {c.required && <span className="lp-tag lp-tag--warn">required</span>}
          </div>
          {c.options.length > 0 && (
            <ul className="lp-otree">
              {c.options.map((o) => (
                <li key={o.featureSchemaId ?? o.value}>
                  <div className="lp-otree__node lp-otree__node--option">
                    <span className="lp-otree__glyph" aria-hidden>
                      –
                    </span>
                    <span className="lp-otree__name">{o.label}</span>
                    {o.label !== o.value && <span className="lp-mono lp-muted">{o.value}</span>}
                  </div>
                  <ClassificationNodes classifications={o.options} />
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  )
}
