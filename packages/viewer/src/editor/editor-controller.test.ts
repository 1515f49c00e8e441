import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { EditorController } from './editor-controller.ts'
import type { EditorTool, PointerInput } from './editor-controller.ts'
import { EditorDocument } from './editor-document.ts'
import {
  acceptSuggestions,
  changeClass,
  pasteItems,
  rejectSuggestions,
  shownSuggestions,
} from './editor-commands.ts'
import { maskArea } from './mask-edit.ts'
import type { EditorItem, ObjectItem } from './model.ts'

const TOOLS: EditorTool[] = [
  { featureSchemaId: 'f-box', name: 'box', type: 'rectangle', color: '#ff0000' },
  { featureSchemaId: 'f-poly', name: 'poly', type: 'polygon', color: '#00ff00' },
  { featureSchemaId: 'f-line', name: 'line', type: 'line', color: '#0000ff' },
  { featureSchemaId: 'f-point', name: 'point', type: 'point', color: '#ffff00' },
  { featureSchemaId: 'f-mask', name: 'mask', type: 'raster-segmentation', color: '#00ffff' },
  { featureSchemaId: 'f-rel', name: 'rel', type: 'edge', color: '#ff00ff' },
  { featureSchemaId: 'f-box2', name: 'box2', type: 'rectangle', color: '#880000' },
]

function setup(items: EditorItem[] = []) {
  const doc = new EditorDocument(1000, 800, items)
  const editor = new EditorController(doc, TOOLS)
  const at = (x: number, y: number, extra: Partial<PointerInput> = {}): PointerInput => ({
    point: { x, y },
    scale: 1,
    ...extra,
  })
  const drag = (from: [number, number], to: [number, number], steps = 5, extra = {}) => {
    editor.pointerDown(at(from[0], from[1], extra))
    for (let i = 1; i <= steps; i++)
      editor.pointerMove(
        at(
          from[0] + ((to[0] - from[0]) * i) / steps,
          from[1] + ((to[1] - from[1]) * i) / steps,
          extra,
        ),
      )
    editor.pointerUp(at(to[0], to[1], extra))
  }
  const click = (x: number, y: number, extra: Partial<PointerInput> = {}) => {
    editor.pointerDown(at(x, y, extra))
    editor.pointerUp(at(x, y, extra))
  }
  const objects = () => [...doc.all()].filter((i): i is ObjectItem => i.kind === 'object')
  return { doc, editor, drag, click, objects }
}

const box = (uuid: string, left: number, top: number, suggestion?: number): ObjectItem => ({
  kind: 'object',
  uuid,
  featureSchemaId: 'f-box',
  name: 'box',
  provenance: { source: 'drawn' },
  geometry: { type: 'bbox', box: { left, top, width: 50, height: 40 } },
  answers: {},
  ...(suggestion !== undefined
    ? { suggestion: { importId: 'imp-1', confidence: suggestion } }
    : {}),
})

describe('EditorController', () => {
  it('draws a box by dragging, in one undo step, and undo/redo restores it', () => {
    const { doc, editor, drag, objects } = setup()
    editor.selectTool(0)
    drag([100, 100], [160, 140])
    assert.equal(objects().length, 1)
    assert.deepEqual(objects()[0]!.geometry, {
      type: 'bbox',
      box: { left: 100, top: 100, width: 60, height: 40 },
    })
    assert.deepEqual(objects()[0]!.provenance, { source: 'drawn' })
    assert.equal(doc.undo(), true)
    assert.equal(objects().length, 0)
    assert.equal(doc.redo(), true)
    assert.equal(objects().length, 1)
  })

  it('moves and resizes a box; each drag is one step', () => {
    const { doc, editor, drag, objects } = setup([box('b', 100, 100)])
    editor.selectTool(null)
    drag([120, 120], [220, 170], 10)
    const moved = objects()[0]!.geometry
    assert.deepEqual(moved, { type: 'bbox', box: { left: 200, top: 150, width: 50, height: 40 } })
    // the box is selected now: drag its bottom-right corner
    drag([250, 190], [300, 260], 4)
    assert.deepEqual(objects()[0]!.geometry, {
      type: 'bbox',
      box: { left: 200, top: 150, width: 100, height: 110 },
    })
    doc.undo()
    assert.deepEqual(objects()[0]!.geometry, moved)
    doc.undo()
    assert.deepEqual((objects()[0]!.geometry as { box: unknown }).box, {
      left: 100,
      top: 100,
      width: 50,
      height: 40,
    })
  })

  it('draws a polygon closed on its first vertex, then inserts, drags and deletes vertices', () => {
    const { doc, editor, click, drag, objects } = setup()
    editor.selectTool(1)
    click(100, 100)
    click(200, 100)
    click(200, 200)
    assert.equal(objects().length, 0, 'not closed yet')
    click(102, 101) // within the closing tolerance of the first vertex
    assert.equal(objects().length, 1)
    const points = () => (objects()[0]!.geometry as { points: { x: number; y: number }[] }).points
    assert.deepEqual(points(), [
      { x: 100, y: 100 },
      { x: 200, y: 100 },
      { x: 200, y: 200 },
    ])
    editor.selectTool(null)
    editor.select([objects()[0]!.uuid])
    // click on the edge (200,100)-(200,200) at its middle and drag the new vertex out
    drag([200, 150], [260, 150])
    assert.deepEqual(points()[2], { x: 260, y: 150 })
    assert.equal(points().length, 4)
    // drag an existing vertex
    drag([100, 100], [90, 80])
    assert.deepEqual(points()[0], { x: 90, y: 80 })
    // Alt+click deletes a vertex
    click(260, 150, { alt: true })
    assert.equal(points().length, 3)
    // never below 3
    click(90, 80, { alt: true })
    assert.equal(points().length, 3)
    doc.undo()
    assert.equal(points().length, 4)
  })

  it('Enter ends a polygon or polyline; Backspace drops the last vertex; Esc cancels', () => {
    const { editor, click, objects } = setup()
    editor.selectTool(2)
    click(10, 10)
    click(50, 10)
    click(80, 40)
    assert.equal(editor.removeLastPoint(), true)
    assert.equal(editor.finish(), true)
    assert.deepEqual((objects()[0]!.geometry as { points: unknown }).points, [
      { x: 10, y: 10 },
      { x: 50, y: 10 },
    ])
    editor.selectTool(1)
    click(10, 10)
    click(50, 10)
    assert.equal(editor.finish(), false, 'two points are not a polygon')
    assert.equal(editor.cancel(), true)
    assert.equal(editor.inProgress, null)
    assert.equal(objects().length, 1)
  })

  it('places points and clamps geometry to the image', () => {
    const { editor, click, objects } = setup()
    editor.selectTool(3)
    click(-20, 900)
    assert.deepEqual(objects()[0]!.geometry, { type: 'point', point: { x: 0, y: 800 } })
  })

  it('brushes a mask in one step per stroke, erases, and fills a polygon into it', () => {
    const { doc, editor, drag, click, objects } = setup()
    editor.selectTool(4)
    editor.setBrushRadius(10)
    drag([100, 100], [200, 100], 20)
    assert.equal(objects().length, 1)
    const mask = () => {
      const g = objects()[0]!.geometry
      assert.equal(g.type, 'mask')
      return g.mask
    }
    const first = maskArea(mask())
    // a 100 px stroke of radius 10: about 100×20 + π·10²
    assert.ok(first > 2000 && first < 2500, `area ${first}`)
    assert.equal(mask().left, 90)
    assert.equal(mask().top, 90)
    // a second stroke on the selected instance grows it
    drag([100, 200], [100, 300], 20)
    assert.equal(objects().length, 1)
    const second = maskArea(mask())
    assert.ok(second > first + 2000)
    editor.setMaskMode('eraser')
    drag([150, 80], [150, 120], 5)
    assert.ok(maskArea(mask()) < second)
    editor.setMaskMode('fill')
    click(400, 400)
    click(500, 400)
    click(500, 500)
    click(400, 500)
    assert.equal(editor.finish(), true)
    assert.ok(maskArea(mask()) > 9000)
    doc.undo() // the fill
    doc.undo() // the eraser stroke
    assert.equal(maskArea(mask()), second)
    doc.undo()
    assert.equal(maskArea(mask()), first)
  })

  it('links two objects with a relationship and deleting one removes the link', () => {
    const { doc, editor, click } = setup([box('a', 100, 100), box('b', 400, 400)])
    editor.selectTool(5)
    click(120, 120)
    click(420, 420)
    const rel = [...doc.all()].find((i) => i.kind === 'relationship')
    assert.ok(rel && rel.kind === 'relationship')
    assert.equal(rel.source, 'a')
    assert.equal(rel.target, 'b')
    editor.selectTool(null)
    editor.select(['a'])
    assert.equal(editor.deleteSelection(), 2)
    assert.equal(doc.size, 1)
    doc.undo()
    assert.equal(doc.size, 3)
  })

  it('selects with Shift, moves several at once, and leaves locked objects alone', () => {
    const { editor, click, drag, objects } = setup([box('a', 100, 100), box('b', 300, 100)])
    click(120, 120)
    click(320, 120, { shift: true })
    assert.deepEqual([...editor.selection].sort(), ['a', 'b'])
    editor.toggleLocked('b')
    drag([120, 120], [130, 130])
    const byId = new Map(objects().map((o) => [o.uuid, o]))
    assert.equal((byId.get('a')!.geometry as { box: { left: number } }).box.left, 110)
    assert.equal((byId.get('b')!.geometry as { box: { left: number } }).box.left, 300)
    assert.equal(editor.deleteSelection(), 1)
    assert.deepEqual(
      objects().map((o) => o.uuid),
      ['b'],
    )
  })

  it('hidden objects are not drawn or picked', () => {
    const { editor, click } = setup([box('a', 100, 100)])
    editor.toggleHidden('a')
    click(120, 120)
    assert.equal(editor.selection.size, 0)
  })
})

describe('suggestions', () => {
  it('accepts, rejects, accepts all above the threshold; editing accepts as modified', () => {
    const { doc, editor, drag } = setup([
      box('s1', 100, 100, 0.9),
      box('s2', 300, 100, 0.4),
      box('s3', 500, 100, 0.8),
      box('s4', 700, 100, 0.2),
    ])
    editor.setThreshold(0.5)
    assert.deepEqual(shownSuggestions(doc, 0.5), ['s1', 's3'])
    assert.equal(acceptSuggestions(doc, ['s1']), 1)
    assert.deepEqual(doc.get('s1')!.provenance, {
      source: 'prelabel',
      importId: 'imp-1',
      originalUuid: 's1',
      modified: false,
    })
    assert.equal(doc.get('s1')!.suggestion, undefined)
    assert.equal(rejectSuggestions(doc, ['s2']), 1)
    assert.equal(doc.get('s2'), undefined)
    doc.undo()
    assert.ok(doc.get('s2')?.suggestion, 'undo brings a rejected suggestion back')
    // dragging a suggestion edits it: accepted as modified
    drag([520, 120], [540, 120])
    assert.deepEqual(doc.get('s3')!.provenance, {
      source: 'prelabel',
      importId: 'imp-1',
      originalUuid: 's3',
      modified: true,
    })
    // the hidden one (below the threshold) is not picked
    editor.select([])
    drag([720, 120], [740, 120])
    assert.ok(doc.get('s4')!.suggestion)
    assert.equal(acceptSuggestions(doc, shownSuggestions(doc, 0)), 2)
    assert.equal([...doc.all()].filter((i) => i.suggestion).length, 0)
  })

  it('changing the class of a suggestion accepts it as modified and clears nested answers', () => {
    const s = {
      ...box('s', 100, 100, 0.9),
      answers: { q: { type: 'text', text: 'x' } },
    } as ObjectItem
    const { doc } = setup([s])
    changeClass(doc, ['s'], { featureSchemaId: 'f-box2', name: 'box2' })
    const item = doc.get('s') as ObjectItem
    assert.equal(item.featureSchemaId, 'f-box2')
    assert.deepEqual(item.answers, {})
    assert.equal(item.provenance.source === 'prelabel' && item.provenance.modified, true)
  })

  it('pastes objects from a previous data row as new drawn objects with their links', () => {
    const previous: EditorItem[] = [
      box('a', 10, 10),
      box('b', 100, 10, 0.5),
      {
        kind: 'relationship',
        uuid: 'r',
        featureSchemaId: 'f-rel',
        name: 'rel',
        provenance: { source: 'drawn' },
        source: 'a',
        target: 'b',
        bidirectional: true,
      },
    ]
    const { doc } = setup()
    const pasted = pasteItems(doc, previous)
    assert.equal(pasted.length, 3)
    const items = [...doc.all()]
    assert.ok(items.every((i) => !['a', 'b', 'r'].includes(i.uuid) && !i.suggestion))
    const rel = items.find((i) => i.kind === 'relationship')
    assert.ok(rel?.kind === 'relationship' && doc.get(rel.source) && doc.get(rel.target))
    doc.undo()
    assert.equal(doc.size, 0)
  })

  it('read-only: a click selects, a drag moves nothing, tools and delete do nothing', () => {
    const { doc, editor, drag, click, objects } = setup([box('b', 100, 100)])
    editor.readOnly = true
    click(120, 120)
    assert.deepEqual([...editor.selection], ['b'])
    drag([120, 120], [300, 300], 6)
    assert.deepEqual((objects()[0]!.geometry as { box: unknown }).box, {
      left: 100,
      top: 100,
      width: 50,
      height: 40,
    })
    editor.selectTool(0)
    assert.equal(editor.tool, null)
    drag([400, 400], [500, 500])
    assert.equal(editor.deleteSelection(), 0)
    assert.equal(objects().length, 1)
    assert.equal(doc.canUndo, false)
    click(900, 700)
    assert.equal(editor.selection.size, 0)
  })
})
