/**
 * Form fields for an ontology's classifications, nested at any depth: radio buttons, checkboxes
 * and text inputs, each with its label; options' nested classifications open under the chosen
 * option. Required ones are marked; the server enforces them at submit.
 */
import type { NormalizedClassification } from '@labelport/core'
import type { Answer, Answers } from '@labelport/viewer'

export function ClassificationFields({
  classifications,
  answers,
  onChange,
  idPrefix,
  issuesFor,
}: {
  classifications: readonly NormalizedClassification[]
  answers: Answers
  onChange: (answers: Answers) => void
  /** unique per form, so ids of inputs do not collide */
  idPrefix: string
  /** issue messages for a classification featureSchemaId, if the last submit found some */
  issuesFor?: (featureSchemaId: string) => string[]
}) {
  const set = (id: string, answer: Answer | null) => {
    const next: Record<string, Answer> = { ...answers }
    if (answer) next[id] = answer
    else delete next[id]
    onChange(next)
  }
  return (
    <div className="lp-cfields">
      {classifications.map((c) => {
        const id = c.featureSchemaId ?? c.name
        const answer = answers[id]
        const fieldId = `${idPrefix}-${id}`
        const issues = issuesFor?.(id) ?? []
        const title = (
          <>
            {c.name}
            {c.required && (
              <span className="lp-cfields__required" aria-label="required">
                {' '}
                *
              </span>
            )}
          </>
        )
        if (c.type === 'text')
          return (
            <div key={id} className="lp-cfields__field" data-testid={`classification-${c.name}`}>
              <label htmlFor={fieldId} className="lp-cfields__label">
                {title}
              </label>
              <input
                id={fieldId}
                className="lp-input lp-input--small"
                value={answer?.type === 'text' ? answer.text : ''}
                onChange={(e) =>
                  set(id, e.target.value === '' ? null : { type: 'text', text: e.target.value })
                }
              />
              <Issues issues={issues} />
            </div>
          )
        return (
          <fieldset key={id} className="lp-cfields__field" data-testid={`classification-${c.name}`}>
            <legend className="lp-cfields__label">{title}</legend>
            {c.options.map((o) => {
              const optionId = o.featureSchemaId ?? o.value
              const inputId = `${fieldId}-${optionId}`
              const checked =
                c.type === 'radio'
                  ? answer?.type === 'radio' && answer.option === optionId
                  : answer?.type === 'checklist' && optionId in answer.options
              const nested: Answers =
                answer?.type === 'radio' && answer.option === optionId
                  ? answer.nested
                  : answer?.type === 'checklist'
                    ? (answer.options[optionId] ?? {})
                    : {}
              return (
                <div key={optionId} className="lp-cfields__option">
                  <input
                    id={inputId}
                    type={c.type === 'radio' ? 'radio' : 'checkbox'}
                    name={fieldId}
                    checked={checked}
                    onChange={() => {
                      if (c.type === 'radio') {
                        set(id, { type: 'radio', option: optionId, nested: {} })
                        return
                      }
                      const options = { ...(answer?.type === 'checklist' ? answer.options : {}) }
                      if (checked) delete options[optionId]
                      else options[optionId] = {}
                      set(
                        id,
                        Object.keys(options).length > 0 ? { type: 'checklist', options } : null,
                      )
                    }}
                  />
                  <label htmlFor={inputId}>{o.label || o.value}</label>
                  {c.type === 'radio' && checked && (
                    <button
                      type="button"
                      className="lp-link-button lp-small"
                      aria-label={`Clear ${c.name}`}
                      onClick={() => set(id, null)}
                    >
                      clear
                    </button>
                  )}
                  {checked && o.options.length > 0 && (
                    <div className="lp-cfields__nested">
                      <ClassificationFields
                        classifications={o.options}
                        answers={nested}
                        idPrefix={inputId}
                        {...(issuesFor ? { issuesFor } : {})}
                        onChange={(inner) =>
                          set(
                            id,
                            c.type === 'radio'
                              ? { type: 'radio', option: optionId, nested: inner }
                              : {
                                  type: 'checklist',
                                  options: {
                                    ...(answer?.type === 'checklist' ? answer.options : {}),
                                    [optionId]: inner,
                                  },
                                },
                          )
                        }
                      />
                    </div>
                  )}
                </div>
              )
            })}
            <Issues issues={issues} />
          </fieldset>
        )
      })}
    </div>
  )
}

function Issues({ issues }: { issues: string[] }) {
  if (issues.length === 0) return null
  return (
    <ul className="lp-cfields__issues" data-testid="field-issues">
      {issues.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  )
}
