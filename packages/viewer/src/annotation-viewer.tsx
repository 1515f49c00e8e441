// Over 500 lines: one canvas component (drawing, zoom, pan, hover, selection share its state); its pure parts live in scene.ts, hit-test.ts, mask-bitmap.ts.
/**
 * An image with every annotation drawn over it on one <canvas>: zoom with the wheel around the
 * cursor, pan by dragging, hover and click to inspect. Never fetches: the image and the
 * annotations come in as props, selection goes out through callbacks.
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import type { PointerEvent as ReactPointerEvent } from 'react'
import type { AnnotationLayer, PointRecord } from '@labelport/core'
import { fitTransform, toImage, toScreen, zoomAround } from './scene.ts'
import type { Scene, SceneObject, ViewTransform } from './scene.ts'
import { buildGridIndex, hitTest } from './hit-test.ts'
import { buildBatches, drawBatches, drawHighlight, drawRelationships } from './draw.ts'
import { decodeMaskCrop, maskCovers, maskPixels } from './mask-bitmap.ts'
import type { DecodedMask } from './mask-bitmap.ts'
import { AnnotationDetails } from './annotation-details.tsx'

export interface LayerVisibility {
  prelabel: boolean
  label: boolean
}

/** A drawn annotation in client (viewport) CSS pixels, for tests and tooling. */
export interface DrawnAnnotation {
  id: string
  uuid: string
  layer: AnnotationLayer
  kind: 'bbox' | 'polygon' | 'line' | 'point' | 'mask' | 'relationship'
  name: string
  color: string
  box: { left: number; top: number; width: number; height: number }
  points?: PointRecord[]
}

/** What `onDebugApi` hands out; the web app publishes it as `window.__labelportViewer`. */
export interface ViewerDebugApi {
  imageSize(): { width: number; height: number }
  /** image → canvas CSS pixels */
  transform(): ViewTransform
  /** the canvas in client CSS pixels */
  canvasRect(): { left: number; top: number; width: number; height: number }
  drawn(): DrawnAnnotation[]
  setTransform(t: ViewTransform): void
  /** draw times in ms of recent frames, and the time (performance.now) of the first full frame */
  stats(): { frames: number[]; firstRenderAt: number | null; objectCount: number }
}

export interface AnnotationViewerProps {
  image: CanvasImageSource | null
  imageWidth: number
  imageHeight: number
  /** from `buildScene(annotations, ontology)`; the side panel lists the same scene */
  scene: Scene
  layers: LayerVisibility
  /** featureSchemaIds not to draw */
  hiddenFeatures?: ReadonlySet<string>
  /** objects with a confidence below this are hidden (those without one stay) */
  minConfidence?: number
  selectedId: string | null
  onSelect: (id: string | null) => void
  onDebugApi?: (api: ViewerDebugApi | null) => void
}

interface CachedMask {
  mask: DecodedMask
  canvas: HTMLCanvasElement | null
}

export const FIRST_RENDER_MARK = 'labelport:viewer:first-render'

export function AnnotationViewer(props: AnnotationViewerProps) {
  const {
    image,
    imageWidth,
    imageHeight,
    scene,
    layers,
    hiddenFeatures,
    minConfidence = 0,
    selectedId,
    onSelect,
    onDebugApi,
  } = props
  const containerRef = useRef<HTMLDivElement>(null)
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const [hover, setHover] = useState<{ id: string; x: number; y: number } | null>(null)
  const [zoomPercent, setZoomPercent] = useState(100)

  const index = useMemo(
    () => buildGridIndex(scene.objects, imageWidth, imageHeight),
    [scene, imageWidth, imageHeight],
  )
  const visible = useMemo(() => {
    return (o: SceneObject) =>
      layers[o.layer] &&
      !hiddenFeatures?.has(o.record.featureSchemaId) &&
      (o.confidence === undefined || o.confidence >= minConfidence)
  }, [layers, hiddenFeatures, minConfidence])
  const batches = useMemo(() => buildBatches(scene, visible), [scene, visible])

  // Everything the draw loop reads lives in one ref so a frame never waits for React.
  const live = useRef({
    transform: { scale: 1, offsetX: 0, offsetY: 0 },
    fitted: false,
    size: { width: 0, height: 0 },
    scene: scene,
    index: index,
    batches: batches,
    visible,
    image: image,
    imageWidth,
    imageHeight,
    layers,
    hoverId: null as string | null,
    selectedId,
    masks: new Map<string, CachedMask>(),
    frame: 0,
    frames: [] as number[],
    firstRenderAt: null as number | null,
    dpr: 1,
    /** downscaled copies of the image (½, ¼, …): drawing a 4096² image shrunk every frame is the slowest part of a pan */
    levels: [] as { source: CanvasImageSource; width: number }[],
  })
  const s = live.current
  s.scene = scene
  s.index = index
  s.batches = batches
  s.visible = visible
  s.image = image
  s.imageWidth = imageWidth
  s.imageHeight = imageHeight
  s.layers = layers
  s.selectedId = selectedId
  s.hoverId = hover?.id ?? null

  const maskImage = (o: SceneObject): HTMLCanvasElement | null => {
    const g = o.geometry
    if (g.type !== 'mask') return null
    const key = `${o.id}|${o.color}`
    let cached = s.masks.get(key)
    if (!cached) {
      const mask = decodeMaskCrop(g.rle, g.box)
      if (!mask) return null
      cached = { mask, canvas: null }
      s.masks.set(key, cached)
    }
    if (!cached.canvas) {
      const canvas = document.createElement('canvas')
      canvas.width = cached.mask.width
      canvas.height = cached.mask.height
      const context = canvas.getContext('2d')
      if (!context) return null
      context.putImageData(
        new ImageData(maskPixels(cached.mask, o.color, 120), cached.mask.width, cached.mask.height),
        0,
        0,
      )
      cached.canvas = canvas
    }
    return cached.canvas
  }
  const maskHit = (o: SceneObject, x: number, y: number): boolean => {
    if (!maskImage(o)) return false
    const cached = s.masks.get(`${o.id}|${o.color}`)
    return cached ? maskCovers(cached.mask, x, y) : false
  }

  const draw = () => {
    s.frame = 0
    const canvas = canvasRef.current
    const ctx = canvas?.getContext('2d')
    if (!canvas || !ctx) return
    const started = performance.now()
    const { width, height } = s.size
    const dpr = s.dpr
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.clearRect(0, 0, canvas.width, canvas.height)
    if (width === 0 || height === 0) return
    const t = s.transform
    if (s.image) drawImageClipped(ctx, s, t, dpr, width, height)
    drawBatches(ctx, s.batches, t, dpr, maskImage)
    const relationships = s.scene.relationships.filter(
      (r) =>
        s.layers[r.layer] && r.source && r.target && s.visible(r.source) && s.visible(r.target),
    )
    drawRelationships(ctx, relationships, t, dpr, s.selectedId)
    for (const id of [s.hoverId, s.selectedId]) {
      const o = id ? s.scene.byId.get(id) : undefined
      if (o && 'geometry' in o && s.visible(o))
        drawHighlight(ctx, o, t, dpr, id === s.selectedId, maskImage)
    }
    const elapsed = performance.now() - started
    s.frames.push(elapsed)
    if (s.frames.length > 600) s.frames.splice(0, s.frames.length - 600)
    if (s.firstRenderAt === null && s.image) {
      s.firstRenderAt = performance.now()
      performance.mark(FIRST_RENDER_MARK, {
        detail: { objects: s.scene.objects.length, drawMs: elapsed },
      })
    }
  }
  const requestDraw = () => {
    if (s.frame === 0) s.frame = requestAnimationFrame(draw)
  }
  const setTransform = (t: ViewTransform) => {
    s.transform = t
    setZoomPercent(Math.round(t.scale * 100))
    requestDraw()
  }
  const fit = () =>
    setTransform(fitTransform(s.imageWidth, s.imageHeight, s.size.width, s.size.height))

  // size the canvas to its box, at device resolution
  useEffect(() => {
    const container = containerRef.current
    const canvas = canvasRef.current
    if (!container || !canvas) return
    const observer = new ResizeObserver(() => {
      const rect = container.getBoundingClientRect()
      s.dpr = window.devicePixelRatio || 1
      s.size = { width: rect.width, height: rect.height }
      canvas.width = Math.round(rect.width * s.dpr)
      canvas.height = Math.round(rect.height * s.dpr)
      canvas.style.width = `${rect.width}px`
      canvas.style.height = `${rect.height}px`
      if (!s.fitted && rect.width > 0) {
        s.fitted = true
        fit()
      }
      draw()
    })
    observer.observe(container)
    return () => observer.disconnect()
  }, [])

  // a new image: fit it
  useEffect(() => {
    if (s.size.width > 0) fit()
    s.masks.clear()
  }, [imageWidth, imageHeight])

  // build the downscaled levels in the background; frames use them as they arrive
  useEffect(() => {
    s.levels = []
    if (!image || typeof createImageBitmap !== 'function') return
    let live = true
    const build = async () => {
      for (let factor = 2; imageWidth / factor >= 256; factor *= 2) {
        const width = Math.round(imageWidth / factor)
        const bitmap = await createImageBitmap(image, {
          resizeWidth: width,
          resizeHeight: Math.max(1, Math.round(imageHeight / factor)),
          resizeQuality: 'medium',
        })
        if (!live) return bitmap.close()
        s.levels = [...s.levels, { source: bitmap, width }]
      }
      requestDraw()
    }
    build().catch(() => undefined) // levels are an optimisation: without them the full image is drawn
    return () => {
      live = false
    }
  }, [image, imageWidth, imageHeight])

  useEffect(requestDraw)

  // reveal a selection made elsewhere (the side panel) when it is off screen
  useEffect(() => {
    const o = selectedId ? s.scene.byId.get(selectedId) : undefined
    if (!o || !('geometry' in o)) return
    const a = toScreen(s.transform, { x: o.bounds.left, y: o.bounds.top })
    const b = toScreen(s.transform, {
      x: o.bounds.left + o.bounds.width,
      y: o.bounds.top + o.bounds.height,
    })
    if (a.x >= 0 && a.y >= 0 && b.x <= s.size.width && b.y <= s.size.height) return
    const cx = o.bounds.left + o.bounds.width / 2
    const cy = o.bounds.top + o.bounds.height / 2
    setTransform({
      ...s.transform,
      offsetX: s.size.width / 2 - cx * s.transform.scale,
      offsetY: s.size.height / 2 - cy * s.transform.scale,
    })
  }, [selectedId])

  // wheel zoom needs a non-passive listener to keep the page from scrolling
  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas) return
    const onWheel = (event: WheelEvent) => {
      event.preventDefault()
      const rect = canvas.getBoundingClientRect()
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY
      setTransform(
        zoomAround(
          s.transform,
          { x: event.clientX - rect.left, y: event.clientY - rect.top },
          Math.exp(-delta * 0.0015),
        ),
      )
    }
    canvas.addEventListener('wheel', onWheel, { passive: false })
    return () => canvas.removeEventListener('wheel', onWheel)
  }, [])

  const drag = useRef<{ x: number; y: number; moved: boolean; pointerId: number } | null>(null)
  const pick = (clientX: number, clientY: number): SceneObject | undefined => {
    const rect = canvasRef.current?.getBoundingClientRect()
    if (!rect) return undefined
    const p = toImage(s.transform, { x: clientX - rect.left, y: clientY - rect.top })
    return hitTest(s.index, p, 6 / s.transform.scale, s.visible, maskHit)
  }
  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return
    drag.current = { x: event.clientX, y: event.clientY, moved: false, pointerId: event.pointerId }
    event.currentTarget.setPointerCapture(event.pointerId)
  }
  const onPointerMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const d = drag.current
    if (d) {
      const dx = event.clientX - d.x
      const dy = event.clientY - d.y
      if (!d.moved && Math.hypot(dx, dy) < 3) return
      d.moved = true
      d.x = event.clientX
      d.y = event.clientY
      s.transform = {
        ...s.transform,
        offsetX: s.transform.offsetX + dx,
        offsetY: s.transform.offsetY + dy,
      }
      requestDraw()
      if (hover) setHover(null)
      return
    }
    const o = pick(event.clientX, event.clientY)
    const rect = event.currentTarget.getBoundingClientRect()
    if (!o) {
      if (hover) setHover(null)
    } else setHover({ id: o.id, x: event.clientX - rect.left, y: event.clientY - rect.top })
  }
  const onPointerUp = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const d = drag.current
    drag.current = null
    if (event.currentTarget.hasPointerCapture(event.pointerId))
      event.currentTarget.releasePointerCapture(event.pointerId)
    if (d && !d.moved) onSelect(pick(event.clientX, event.clientY)?.id ?? null)
  }

  // the debug hook: screen positions of what is drawn, for browser tests
  useEffect(() => {
    if (!onDebugApi) return
    const api: ViewerDebugApi = {
      imageSize: () => ({ width: s.imageWidth, height: s.imageHeight }),
      transform: () => ({ ...s.transform }),
      canvasRect: () => {
        const r = canvasRef.current?.getBoundingClientRect()
        return r
          ? { left: r.left, top: r.top, width: r.width, height: r.height }
          : { left: 0, top: 0, width: 0, height: 0 }
      },
      drawn: () => describeDrawn(s.scene, s.visible, s.layers, s.transform, api.canvasRect()),
      setTransform,
      stats: () => ({
        frames: [...s.frames],
        firstRenderAt: s.firstRenderAt,
        objectCount: s.scene.objects.length,
      }),
    }
    onDebugApi(api)
    return () => onDebugApi(null)
  }, [onDebugApi])

  const hovered = hover ? scene.byId.get(hover.id) : undefined
  return (
    <div
      className="lp-viewer"
      ref={containerRef}
      data-testid="annotation-viewer"
      data-object-count={scene.objects.length}
    >
      <canvas
        ref={canvasRef}
        className="lp-viewer__canvas"
        data-testid="annotation-canvas"
        style={{ cursor: hover ? 'pointer' : 'grab' }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => setHover(null)}
        onDoubleClick={fit}
      />
      {hovered && hover && (
        <div
          className="lp-viewer__tooltip"
          data-testid="viewer-tooltip"
          style={{ left: hover.x + 14, top: hover.y + 14 }}
        >
          <AnnotationDetails item={hovered} compact />
        </div>
      )}
      <div className="lp-viewer__controls">
        <button
          type="button"
          title="Zoom out"
          onClick={() =>
            setTransform(
              zoomAround(s.transform, { x: s.size.width / 2, y: s.size.height / 2 }, 1 / 1.4),
            )
          }
        >
          −
        </button>
        <span className="lp-viewer__zoom" data-testid="viewer-zoom">
          {zoomPercent}%
        </span>
        <button
          type="button"
          title="Zoom in"
          onClick={() =>
            setTransform(
              zoomAround(s.transform, { x: s.size.width / 2, y: s.size.height / 2 }, 1.4),
            )
          }
        >
          +
        </button>
        <button type="button" title="Fit to view (double-click)" onClick={fit}>
          Fit
        </button>
        <button
          type="button"
          title="Actual pixels"
          onClick={() =>
            setTransform(
              zoomAround(
                s.transform,
                { x: s.size.width / 2, y: s.size.height / 2 },
                1 / s.transform.scale,
              ),
            )
          }
        >
          1:1
        </button>
      </div>
    </div>
  )
}

/** Draws only the visible part of the image, from the smallest level that still has enough pixels. */
function drawImageClipped(
  ctx: CanvasRenderingContext2D,
  s: {
    image: CanvasImageSource | null
    imageWidth: number
    imageHeight: number
    levels: { source: CanvasImageSource; width: number }[]
  },
  t: ViewTransform,
  dpr: number,
  viewWidth: number,
  viewHeight: number,
): void {
  if (!s.image) return
  const needed = s.imageWidth * t.scale * dpr
  let source: CanvasImageSource = s.image
  let sourceWidth = s.imageWidth
  for (const level of s.levels)
    if (level.width >= needed && level.width < sourceWidth) {
      source = level.source
      sourceWidth = level.width
    }
  const k = sourceWidth / s.imageWidth
  // the visible rectangle in image pixels
  const left = Math.max(0, Math.floor(-t.offsetX / t.scale))
  const top = Math.max(0, Math.floor(-t.offsetY / t.scale))
  const right = Math.min(s.imageWidth, Math.ceil((viewWidth - t.offsetX) / t.scale))
  const bottom = Math.min(s.imageHeight, Math.ceil((viewHeight - t.offsetY) / t.scale))
  if (right <= left || bottom <= top) return
  ctx.setTransform(dpr * t.scale, 0, 0, dpr * t.scale, dpr * t.offsetX, dpr * t.offsetY)
  ctx.imageSmoothingEnabled = t.scale < 2
  ctx.drawImage(
    source,
    left * k,
    top * k,
    (right - left) * k,
    (bottom - top) * k,
    left,
    top,
    right - left,
    bottom - top,
  )
}

function describeDrawn(
  scene: Scene,
  visible: (o: SceneObject) => boolean,
  layers: LayerVisibility,
  t: ViewTransform,
  canvas: { left: number; top: number },
): DrawnAnnotation[] {
  const client = (p: PointRecord) => {
    const s = toScreen(t, p)
    return { x: s.x + canvas.left, y: s.y + canvas.top }
  }
  const boxOf = (points: PointRecord[]) => {
    const xs = points.map((p) => p.x)
    const ys = points.map((p) => p.y)
    const left = Math.min(...xs)
    const top = Math.min(...ys)
    return { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top }
  }
  const out: DrawnAnnotation[] = []
  for (const o of scene.objects) {
    if (!visible(o)) continue
    const b = o.bounds
    const corners = [
      client({ x: b.left, y: b.top }),
      client({ x: b.left + b.width, y: b.top + b.height }),
    ]
    const g = o.geometry
    const points =
      g.type === 'polygon' || g.type === 'line'
        ? g.points.map(client)
        : g.type === 'point'
          ? [client(g.point)]
          : undefined
    out.push({
      id: o.id,
      uuid: o.uuid,
      layer: o.layer,
      kind: g.type,
      name: o.name,
      color: o.color,
      box: boxOf(corners),
      ...(points ? { points } : {}),
    })
  }
  for (const r of scene.relationships) {
    if (!layers[r.layer] || !r.source || !r.target || !visible(r.source) || !visible(r.target))
      continue
    const centre = (o: SceneObject) =>
      client({ x: o.bounds.left + o.bounds.width / 2, y: o.bounds.top + o.bounds.height / 2 })
    const points = [centre(r.source), centre(r.target)]
    out.push({
      id: r.id,
      uuid: r.uuid,
      layer: r.layer,
      kind: 'relationship',
      name: r.name,
      color: r.color,
      box: boxOf(points),
      points,
    })
  }
  return out
}
