/**
 * The ontology editor: tools of every kind of the guide with names, colors and required flags;
 * radio, checklist and text classifications nested at any depth under tools, options or the
 * ontology; normalized JSON in and out. `new` builds a new ontology; an id edits a stored one
 * (the server refuses to remove a feature that has annotations, with the count).
 */
import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import { api, CLASSIFICATION_TYPES, NormalizedOntologySchema, TOOL_TYPES } from '@labelport/core'
import type {
  ClassificationType,
  NormalizedClassification,
  NormalizedOntology,
  NormalizedOption,
  ToolType,
} from '@labelport/core'
import { useClient, useIsAdmin } from '../client-context.ts'
import { href } from '../router.ts'
import { ErrorNotice, PageHeader } from '../components/ui.tsx'

const TOOL_LABELS: Record<ToolType, string> = {
  rectangle: 'Bounding box',
  polygon: 'Polygon',
  line: 'Polyline',
  point: 'Point',
  'raster-segmentation': 'Segmentation mask',
  edge: 'Relationship',
}
const PALETTE = ['#ff6b6b', '#4dabf7', '#51cf66', '#fcc419', '#cc5de8', '#ff922b', '#20c997']

function newClassification(type: ClassificationType, name: string): NormalizedClassification {
  return {
    type,
    name,
    instructions: name,
    required: false,
    options: [],
    schemaNodeId: null,
    featureSchemaId: null,
  }
}

function newOption(value: string): NormalizedOption {
  return { label: value, value, options: [], schemaNodeId: null, featureSchemaId: null }
}

type Mutate = (change: (draft: NormalizedOntology) => void) => void

/** Finds a node again in the cloned draft by its path of indexes. */
type Locate<T> = (draft: NormalizedOntology) => T

function AddChild({
  what,
  onAdd,
  children,
}: {
  what: string
  onAdd: (name: string) => void
  children?: ReactNode
}) {
  const [name, setName] = useState('')
  return (
    <div className="lp-onto-add">
      {children}
      <input
        className="lp-input lp-input--small"
        aria-label={`Name of the new ${what}`}
        placeholder="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button
        type="button"
        className="lp-button lp-button--small"
        disabled={!name.trim()}
        onClick={() => {
          onAdd(name.trim())
          setName('')
        }}
      >
        Add {what}
      </button>
    </div>
  )
}

function ClassificationEditor({
  node,
  locate,
  mutate,
  onRemove,
}: {
  node: NormalizedClassification
  locate: Locate<NormalizedClassification>
  mutate: Mutate
  onRemove: () => void
}) {
  const [kind, setKind] = useState<ClassificationType>('radio')
  return (
    <div className="lp-onto-node" data-testid={`classification-${node.name}`}>
      <div className="lp-onto-row">
        <span className="lp-badge lp-badge--neutral">{node.type}</span>
        <input
          className="lp-input lp-input--small"
          aria-label={`Name of the classification ${node.name}`}
          value={node.name}
          onChange={(e) =>
            mutate((d) => {
              const c = locate(d)
              c.name = e.target.value
              c.instructions = e.target.value
            })
          }
        />
        <label className="lp-check">
          <input
            type="checkbox"
            checked={node.required}
            onChange={(e) => mutate((d) => void (locate(d).required = e.target.checked))}
          />
          required ({node.name})
        </label>
        <button type="button" className="lp-button lp-button--small" onClick={onRemove}>
          Remove {node.name}
        </button>
      </div>
      {node.type !== 'text' && (
        <div className="lp-onto-children">
          {node.options.map((option, i) => (
            <div key={i} className="lp-onto-node" data-testid={`option-${option.value}`}>
              <div className="lp-onto-row">
                <span className="lp-muted">option</span>
                <input
                  className="lp-input lp-input--small"
                  aria-label={`Option ${option.value} of ${node.name}`}
                  value={option.value}
                  onChange={(e) =>
                    mutate((d) => {
                      const o = locate(d).options[i]
                      if (o) o.value = o.label = e.target.value
                    })
                  }
                />
                <button
                  type="button"
                  className="lp-button lp-button--small"
                  onClick={() => mutate((d) => void locate(d).options.splice(i, 1))}
                >
                  Remove option {option.value}
                </button>
              </div>
              <div className="lp-onto-children">
                {option.options.map((child, j) => (
                  <ClassificationEditor
                    key={j}
                    node={child}
                    locate={(d) => locate(d).options[i]!.options[j]!}
                    mutate={mutate}
                    onRemove={() => mutate((d) => void locate(d).options[i]!.options.splice(j, 1))}
                  />
                ))}
                <AddChild
                  what={`classification under ${option.value}`}
                  onAdd={(name) =>
                    mutate(
                      (d) => void locate(d).options[i]!.options.push(newClassification(kind, name)),
                    )
                  }
                >
                  <KindPicker value={kind} onChange={setKind} under={option.value} />
                </AddChild>
              </div>
            </div>
          ))}
          <AddChild
            what={`option to ${node.name}`}
            onAdd={(value) => mutate((d) => void locate(d).options.push(newOption(value)))}
          />
        </div>
      )}
    </div>
  )
}

function KindPicker({
  value,
  onChange,
  under,
}: {
  value: ClassificationType
  onChange: (kind: ClassificationType) => void
  under: string
}) {
  return (
    <select
      className="lp-input lp-input--small"
      aria-label={`Kind of the new classification under ${under}`}
      value={value}
      onChange={(e) => onChange(e.target.value as ClassificationType)}
    >
      {CLASSIFICATION_TYPES.map((t) => (
        <option key={t}>{t}</option>
      ))}
    </select>
  )
}

export function OntologyEditorPage({ ontologyId }: { ontologyId: string }) {
  const client = useClient()
  const isAdmin = useIsAdmin()
  const [name, setName] = useState('')
  const [doc, setDoc] = useState<NormalizedOntology>({ tools: [], classifications: [] })
  const [toolKind, setToolKind] = useState<ToolType>('rectangle')
  const [globalKind, setGlobalKind] = useState<ClassificationType>('radio')
  const [json, setJson] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const [saving, setSaving] = useState(false)

  useEffect(() => {
    if (ontologyId === 'new') return
    client.json(api.getOntology, { ontologyId }).then(
      (o) => {
        setName(o.name)
        const parsed = NormalizedOntologySchema.safeParse(o.normalized)
        if (parsed.success) setDoc(parsed.data)
      },
      (e: unknown) => setError(e as Error),
    )
  }, [client, ontologyId])

  const mutate: Mutate = (change) =>
    setDoc((current) => {
      const next = structuredClone(current)
      change(next)
      return next
    })

  const load = () => {
    setError(null)
    let value: unknown
    try {
      value = JSON.parse(json)
    } catch (e) {
      setError(new Error(`The JSON does not parse: ${(e as Error).message}`))
      return
    }
    const parsed = NormalizedOntologySchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      setError(
        new Error(
          `Not a normalized ontology: ${issue?.message ?? ''} at ${issue?.path.join('.') ?? ''}`,
        ),
      )
      return
    }
    setDoc(parsed.data)
  }
  /** a new ontology, or (for a stored one) its changes: removing a feature in use is refused with the count */
  const save = async (asNew: boolean) => {
    setSaving(true)
    setError(null)
    try {
      if (asNew) await client.send(api.createOntology, {}, { name: name.trim(), normalized: doc })
      else
        await client.send(
          api.updateOntology,
          { ontologyId },
          { name: name.trim(), normalized: doc },
        )
      window.location.hash = href.ontologies()
    } catch (e) {
      setError(e as Error)
    } finally {
      setSaving(false)
    }
  }
  const exported = JSON.stringify(doc, null, 2)

  return (
    <div className="lp-page" data-testid="ontology-editor">
      <PageHeader
        crumbs={[{ label: 'Ontologies', href: href.ontologies() }]}
        title={ontologyId === 'new' ? 'New ontology' : 'Ontology'}
        meta="Tools draw objects; classifications answer questions, nested under tools, options or the whole image."
      />
      {error && <ErrorNotice error={error} />}
      <div className="lp-card">
        <label className="lp-field">
          <span className="lp-field__label">Ontology name</span>
          <input className="lp-input" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <h2 className="lp-section-title">Tools</h2>
        {doc.tools.map((tool, t) => (
          <div key={t} className="lp-onto-node" data-testid={`tool-${tool.name}`}>
            <div className="lp-onto-row">
              <span className="lp-badge lp-badge--neutral">{TOOL_LABELS[tool.tool]}</span>
              <input
                className="lp-input lp-input--small"
                aria-label={`Name of the tool ${tool.name}`}
                value={tool.name}
                onChange={(e) => mutate((d) => void (d.tools[t]!.name = e.target.value))}
              />
              <input
                type="color"
                aria-label={`Color of ${tool.name}`}
                value={tool.color || '#888888'}
                onChange={(e) => mutate((d) => void (d.tools[t]!.color = e.target.value))}
              />
              <label className="lp-check">
                <input
                  type="checkbox"
                  checked={tool.required}
                  onChange={(e) => mutate((d) => void (d.tools[t]!.required = e.target.checked))}
                />
                required ({tool.name})
              </label>
              <button
                type="button"
                className="lp-button lp-button--small"
                onClick={() => mutate((d) => void d.tools.splice(t, 1))}
              >
                Remove {tool.name}
              </button>
            </div>
            <div className="lp-onto-children">
              {tool.classifications.map((c, i) => (
                <ClassificationEditor
                  key={i}
                  node={c}
                  locate={(d) => d.tools[t]!.classifications[i]!}
                  mutate={mutate}
                  onRemove={() => mutate((d) => void d.tools[t]!.classifications.splice(i, 1))}
                />
              ))}
              <ToolClassificationAdder
                toolName={tool.name}
                onAdd={(kind, childName) =>
                  mutate(
                    (d) =>
                      void d.tools[t]!.classifications.push(newClassification(kind, childName)),
                  )
                }
              />
            </div>
          </div>
        ))}
        <AddChild
          what="tool"
          onAdd={(toolName) =>
            mutate(
              (d) =>
                void d.tools.push({
                  tool: toolKind,
                  name: toolName,
                  required: false,
                  color: PALETTE[d.tools.length % PALETTE.length] ?? '#888888',
                  classifications: [],
                  schemaNodeId: null,
                  featureSchemaId: null,
                }),
            )
          }
        >
          <select
            className="lp-input lp-input--small"
            aria-label="Kind of the new tool"
            value={toolKind}
            onChange={(e) => setToolKind(e.target.value as ToolType)}
          >
            {TOOL_TYPES.map((t) => (
              <option key={t} value={t}>
                {TOOL_LABELS[t]}
              </option>
            ))}
          </select>
        </AddChild>
        <h2 className="lp-section-title">Classifications of the whole image</h2>
        {doc.classifications.map((c, i) => (
          <ClassificationEditor
            key={i}
            node={c}
            locate={(d) => d.classifications[i]!}
            mutate={mutate}
            onRemove={() => mutate((d) => void d.classifications.splice(i, 1))}
          />
        ))}
        <AddChild
          what="global classification"
          onAdd={(childName) =>
            mutate((d) => void d.classifications.push(newClassification(globalKind, childName)))
          }
        >
          <KindPicker value={globalKind} onChange={setGlobalKind} under="the image" />
        </AddChild>
        {isAdmin && (
          <button
            type="button"
            className="lp-button lp-button--primary"
            disabled={saving || !name.trim()}
            onClick={() => void save(ontologyId === 'new')}
          >
            {saving ? 'Saving…' : ontologyId === 'new' ? 'Save ontology' : 'Save changes'}
          </button>
        )}
        {isAdmin && ontologyId !== 'new' && (
          <button
            type="button"
            className="lp-button"
            disabled={saving || !name.trim()}
            onClick={() => void save(true)}
          >
            Save as a new ontology
          </button>
        )}
      </div>
      <div className="lp-card">
        <h2 className="lp-section-title">Normalized JSON</h2>
        <label className="lp-field">
          <span className="lp-field__label">Exported JSON</span>
          <textarea className="lp-input lp-mono" rows={8} readOnly value={exported} />
        </label>
        <a
          className="lp-button lp-button--small"
          download={`${name.trim() || 'ontology'}.json`}
          href={`data:application/json;charset=utf-8,${encodeURIComponent(exported)}`}
        >
          Download JSON
        </a>
        <label className="lp-field">
          <span className="lp-field__label">JSON to import</span>
          <textarea
            className="lp-input lp-mono"
            rows={4}
            value={json}
            onChange={(e) => setJson(e.target.value)}
          />
        </label>
        <button type="button" className="lp-button lp-button--small" onClick={load}>
          Import JSON
        </button>
      </div>
    </div>
  )
}

function ToolClassificationAdder({
  toolName,
  onAdd,
}: {
  toolName: string
  onAdd: (kind: ClassificationType, name: string) => void
}) {
  const [kind, setKind] = useState<ClassificationType>('radio')
  return (
    <AddChild what={`classification to ${toolName}`} onAdd={(name) => onAdd(kind, name)}>
      <KindPicker value={kind} onChange={setKind} under={toolName} />
    </AddChild>
  )
}
