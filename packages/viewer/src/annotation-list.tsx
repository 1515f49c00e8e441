/**
 * The side panel: global classifications and every object, grouped by layer and feature, with a
 * visibility toggle per feature. Long groups render a page at a time so 5,000 objects stay cheap.
 */
import { useState } from 'react'
import type { AnnotationLayer } from '@labelport/core'
import type { Scene, SceneObject, SceneRelationship } from './scene.ts'
import {
  ClassificationTree,
  LAYER_LABELS,
  TOOL_LABELS,
  formatConfidence,
} from './annotation-details.tsx'

export interface AnnotationListProps {
  scene: Scene
  layers: Record<AnnotationLayer, boolean>
  hiddenFeatures: ReadonlySet<string>
  selectedId: string | null
  onSelect: (id: string) => void
  onToggleFeature: (featureSchemaId: string) => void
}

interface Group {
  key: string
  featureSchemaId: string
  name: string
  color: string
  kind: string
  items: (SceneObject | SceneRelationship)[]
}

const PAGE = 50

export function AnnotationList({
  scene,
  layers,
  hiddenFeatures,
  selectedId,
  onSelect,
  onToggleFeature,
}: AnnotationListProps) {
  const byLayer: AnnotationLayer[] = ['label', 'prelabel']
  return (
    <div className="lp-alist" data-testid="annotation-list">
      {byLayer.map((layer) => {
        const classifications = scene.classifications.filter((c) => c.layer === layer)
        const groups = groupsOf(scene, layer)
        const total = groups.reduce((n, g) => n + g.items.length, 0) + classifications.length
        return (
          <section
            key={layer}
            className={layers[layer] ? 'lp-alist__layer' : 'lp-alist__layer lp-alist__layer--off'}
            data-testid={`annotation-list-${layer}`}
          >
            <h3 className="lp-alist__heading">
              {LAYER_LABELS[layer]} <span className="lp-count">{total}</span>
            </h3>
            {total === 0 && <p className="lp-muted lp-small">None.</p>}
            {classifications.length > 0 && (
              <div className="lp-alist__globals" data-testid={`global-classifications-${layer}`}>
                <h4 className="lp-alist__subheading">Global classifications</h4>
                <ClassificationTree classifications={classifications.map((c) => c.record)} />
              </div>
            )}
            {groups.map((g) => (
              <FeatureGroup
                key={g.key}
                group={g}
                hidden={hiddenFeatures.has(g.featureSchemaId)}
                selectedId={selectedId}
                onSelect={onSelect}
                onToggle={() => onToggleFeature(g.featureSchemaId)}
              />
            ))}
          </section>
        )
      })}
    </div>
  )
}

function FeatureGroup({
  group,
  hidden,
  selectedId,
  onSelect,
  onToggle,
}: {
  group: Group
  hidden: boolean
  selectedId: string | null
  onSelect: (id: string) => void
  onToggle: () => void
}) {
  const containsSelection = group.items.some((i) => i.id === selectedId)
  const [open, setOpen] = useState(group.items.length <= 8)
  const [shown, setShown] = useState(PAGE)
  const expanded = open || containsSelection
  return (
    <div className="lp-fgroup">
      <div className="lp-fgroup__header">
        <button
          type="button"
          className="lp-fgroup__expander"
          onClick={() => setOpen(!expanded)}
          aria-expanded={expanded}
        >
          <span className="lp-fgroup__caret">{expanded ? '▾' : '▸'}</span>
          <span className="lp-swatch" style={{ background: group.color }} />
          <span className="lp-fgroup__name">{group.name}</span>
          <span className="lp-muted lp-small">{group.kind}</span>
        </button>
        <span className="lp-count">{group.items.length}</span>
        <label
          className="lp-fgroup__toggle"
          title={hidden ? 'Show on the image' : 'Hide on the image'}
        >
          <input type="checkbox" checked={!hidden} onChange={onToggle} />
        </label>
      </div>
      {expanded && (
        <ul className="lp-fgroup__items">
          {group.items
            .slice(0, Math.max(shown, 1 + group.items.findIndex((i) => i.id === selectedId)))
            .map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  className={item.id === selectedId ? 'lp-item lp-item--selected' : 'lp-item'}
                  data-testid="annotation-item"
                  data-annotation-id={item.id}
                  onClick={() => onSelect(item.id)}
                >
                  <span className="lp-mono lp-item__uuid">{item.uuid.slice(0, 8)}</span>
                  <span className="lp-item__summary">{summaryOf(item)}</span>
                  {'confidence' in item && item.confidence !== undefined && (
                    <span className="lp-item__confidence">{formatConfidence(item.confidence)}</span>
                  )}
                </button>
              </li>
            ))}
          {group.items.length > shown && (
            <li>
              <button
                type="button"
                className="lp-link-button"
                onClick={() => setShown(shown + PAGE * 4)}
              >
                Show more ({group.items.length - shown} left)
              </button>
            </li>
          )}
        </ul>
      )}
    </div>
  )
}

function summaryOf(item: SceneObject | SceneRelationship): string {
  if (!('geometry' in item))
    return `${item.source?.name ?? '?'} ${item.bidirectional ? '↔' : '→'} ${item.target?.name ?? '?'}`
  const g = item.geometry
  const r = Math.round
  switch (g.type) {
    case 'bbox':
      return `${r(g.box.width)}×${r(g.box.height)} at ${r(g.box.left)},${r(g.box.top)}`
    case 'polygon':
      return `${g.points.length} vertices`
    case 'line':
      return `${g.points.length} points`
    case 'point':
      return `${r(g.point.x)},${r(g.point.y)}`
    case 'mask':
      return `${g.area.toLocaleString()} px`
  }
}

function groupsOf(scene: Scene, layer: AnnotationLayer): Group[] {
  const groups = new Map<string, Group>()
  const add = (item: SceneObject | SceneRelationship, kind: string) => {
    const featureSchemaId = item.record.featureSchemaId
    let g = groups.get(featureSchemaId)
    if (!g) {
      g = {
        key: `${layer}-${featureSchemaId}`,
        featureSchemaId,
        name: item.name,
        color: item.color,
        kind,
        items: [],
      }
      groups.set(featureSchemaId, g)
    }
    g.items.push(item)
  }
  for (const o of scene.objects) if (o.layer === layer) add(o, TOOL_LABELS[o.tool] ?? o.tool)
  for (const r of scene.relationships) if (r.layer === layer) add(r, 'Relationship')
  for (const g of groups.values()) g.items.sort((a, b) => a.uuid.localeCompare(b.uuid))
  return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name))
}
