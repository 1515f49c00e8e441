/**
 * The editor's canvas. The image and every unselected object are drawn into a cached "bulk"
 * canvas; a frame blits that cache (moved or scaled for pans and zooms) and draws only the
 * selection, its handles and the shape in progress. The bulk is redrawn when what it shows
 * changes, or once a pan or zoom settles. Why: in Chromium the real cost of canvas drawing is the
 * rasterization at the frame's commit, outside the script (bench/web/raster.ts measures it);
 * 5,000 dashed shapes cost hundreds of ms there, a blit costs a few.
 */
import { useEffect, useRef } from 'react'
import type { ReactNode } from 'react'
import type { PointRecord } from '@labelport/core'
import { fitTransform, toImage, zoomAround } from '../scene.ts'
import type { ViewTransform } from '../scene.ts'
import type { EditorController } from './editor-controller.ts'
import { MaskCache, renderBulk, renderOverlay } from './editor-render.ts'

/** What `onDebugApi` hands out; the web app publishes it as `window.__labelportEditor`. */
export interface EditorDebugApi {
  imageSize(): { width: number; height: number }
  /** image → canvas CSS pixels: screen = image × scale + offset */
  transform(): ViewTransform
  setTransform(t: ViewTransform): void
  /** the canvas in client CSS pixels */
  canvasRect(): { left: number; top: number; width: number; height: number }
  /** the editor's own work per frame (ms; bulk redraws included), and the bulk redraws alone (ms) */
  stats(): { frames: number[]; bulk: number[]; bulkRenders: number; objectCount: number }
  /** benchmarks: force Chromium to rasterize inside the measured frame (getImageData of a pixel) */
  measureRaster(on: boolean): void
  /** benchmarks: the bulk's level of detail (CSS px, 0: every vertex), then redraws the bulk */
  levelOfDetail(step: number): void
}

export interface EditorCanvasProps {
  controller: EditorController
  image: CanvasImageSource | null
  colors: ReadonlyMap<string, string>
  /** true while Space is held: dragging pans */
  panMode: boolean
  onDebugApi?: (api: EditorDebugApi | null) => void
  /**
   * called after each frame with the view transform, so layers drawn over the canvas (`children`,
   * placed over it) can follow pans and zooms without re-rendering
   */
  onTransform?: (t: ViewTransform) => void
  children?: ReactNode
}

const MARGIN = 192
const SETTLE_MS = 140

export function EditorCanvas({
  controller,
  image,
  colors,
  panMode,
  onDebugApi,
  onTransform,
  children,
}: EditorCanvasProps) {
  const containerRef = useRef<HTMLDivElement>(null)
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const live = useRef({
    transform: { scale: 1, offsetX: 0, offsetY: 0 },
    fitted: false,
    size: { width: 0, height: 0 },
    dpr: 1,
    frame: 0,
    settleTimer: null as ReturnType<typeof setTimeout> | null,
    bulk: null as HTMLCanvasElement | null,
    /** the transform the bulk was drawn with, its revision, and whether it is stale */
    bulkAt: null as ViewTransform | null,
    bulkRevision: -1,
    bulkRenders: 0,
    frames: [] as number[],
    bulkFrames: [] as number[],
    measureRaster: false,
    masks: new MaskCache(),
    image: image,
    colors: colors,
    panMode: panMode,
    onTransform: onTransform,
    levels: [] as { source: CanvasImageSource; width: number }[],
    pan: null as { x: number; y: number; pointerId: number } | null,
  })
  const s = live.current
  s.image = image
  s.colors = colors
  s.panMode = panMode
  s.onTransform = onTransform

  const renderBulkNow = () => {
    const started = performance.now()
    const { width, height } = s.size
    const dpr = s.dpr
    if (!s.bulk) s.bulk = document.createElement('canvas')
    const bw = Math.round((width + 2 * MARGIN) * dpr)
    const bh = Math.round((height + 2 * MARGIN) * dpr)
    if (s.bulk.width !== bw || s.bulk.height !== bh) {
      s.bulk.width = bw
      s.bulk.height = bh
    }
    const ctx = s.bulk.getContext('2d')
    if (!ctx) return
    const t = {
      scale: s.transform.scale,
      offsetX: s.transform.offsetX + MARGIN,
      offsetY: s.transform.offsetY + MARGIN,
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.clearRect(0, 0, bw, bh)
    drawImageClipped(ctx, s, controller.doc, t, dpr, width + 2 * MARGIN, height + 2 * MARGIN)
    renderBulk({
      ctx,
      controller,
      transform: t,
      dpr,
      width: width + 2 * MARGIN,
      height: height + 2 * MARGIN,
      colors: s.colors,
      masks: s.masks,
    })
    s.bulkAt = { ...s.transform }
    s.bulkRevision = controller.bulkRevision
    s.bulkRenders++
    if (s.measureRaster) ctx.getImageData(0, 0, 1, 1)
    s.bulkFrames.push(performance.now() - started)
    if (s.bulkFrames.length > 500) s.bulkFrames.splice(0, s.bulkFrames.length - 500)
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
    const at = s.bulkAt
    const stale = !at || s.bulkRevision !== controller.bulkRevision
    if (stale) renderBulkNow()
    else if (t.scale !== at.scale || !covers(at, t, s.size, controller.doc)) {
      // the view moved: blit the bulk moved or scaled now, redraw it crisp once the view settles
      // (a pan that keeps the visible image inside the cached area needs no redraw at all)
      if (s.settleTimer) clearTimeout(s.settleTimer)
      s.settleTimer = setTimeout(() => {
        s.settleTimer = null
        s.bulkAt = null
        requestDraw()
      }, SETTLE_MS)
    }
    const b = s.bulkAt!
    const k = t.scale / b.scale
    if (s.bulk) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
      ctx.imageSmoothingEnabled = k !== 1
      // bulk pixel (u, v) in CSS px shows image point ((u - MARGIN - b.offsetX) / b.scale, …)
      ctx.drawImage(
        s.bulk,
        t.offsetX - (b.offsetX + MARGIN) * k,
        t.offsetY - (b.offsetY + MARGIN) * k,
        (s.bulk.width / dpr) * k,
        (s.bulk.height / dpr) * k,
      )
    }
    renderOverlay({
      ctx,
      controller,
      transform: t,
      dpr,
      width,
      height,
      colors: s.colors,
      masks: s.masks,
    })
    if (s.measureRaster) ctx.getImageData(0, 0, 1, 1)
    s.frames.push(performance.now() - started)
    s.onTransform?.(t)
    if (s.frames.length > 2000) s.frames.splice(0, s.frames.length - 2000)
  }
  const requestDraw = () => {
    if (s.frame === 0) s.frame = requestAnimationFrame(draw)
  }
  const setTransform = (t: ViewTransform) => {
    s.transform = t
    requestDraw()
  }
  const fit = () =>
    setTransform(
      fitTransform(
        controller.doc.imageWidth,
        controller.doc.imageHeight,
        s.size.width,
        s.size.height,
      ),
    )

  useEffect(() => controller.onChange(requestDraw), [controller])

  // size the canvas to its box, at device resolution; fit and centre the image at open
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
        s.transform = fitTransform(
          controller.doc.imageWidth,
          controller.doc.imageHeight,
          rect.width,
          rect.height,
        )
      }
      s.bulkAt = null
      draw()
    })
    observer.observe(container)
    return () => observer.disconnect()
  }, [controller])

  // downscaled copies of the image, so a zoomed-out frame never shrinks 4096² pixels
  useEffect(() => {
    s.levels = []
    s.bulkAt = null
    requestDraw()
    if (!image || typeof createImageBitmap !== 'function') return
    let alive = true
    const { imageWidth, imageHeight } = controller.doc
    const build = async () => {
      for (let factor = 2; imageWidth / factor >= 256; factor *= 2) {
        const width = Math.round(imageWidth / factor)
        const bitmap = await createImageBitmap(image, {
          resizeWidth: width,
          resizeHeight: Math.max(1, Math.round(imageHeight / factor)),
          resizeQuality: 'medium',
        })
        if (!alive) return bitmap.close()
        s.levels = [...s.levels, { source: bitmap, width }]
      }
      s.bulkAt = null
      requestDraw()
    }
    build().catch(() => undefined) // an optimisation: without levels the full image is drawn
    return () => {
      alive = false
    }
  }, [image, controller])

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

  useEffect(() => {
    if (!onDebugApi) return
    const api: EditorDebugApi = {
      imageSize: () => ({ width: controller.doc.imageWidth, height: controller.doc.imageHeight }),
      transform: () => ({ ...s.transform }),
      setTransform,
      canvasRect: () => {
        const r = canvasRef.current?.getBoundingClientRect()
        return r
          ? { left: r.left, top: r.top, width: r.width, height: r.height }
          : { left: 0, top: 0, width: 0, height: 0 }
      },
      stats: () => ({
        frames: [...s.frames],
        bulk: [...s.bulkFrames],
        bulkRenders: s.bulkRenders,
        objectCount: controller.doc.size,
      }),
      measureRaster: (on) => {
        s.measureRaster = on
      },
      levelOfDetail: (step) => {
        controller.levelOfDetail = step
        s.bulkAt = null
        requestDraw()
      },
    }
    onDebugApi(api)
    return () => onDebugApi(null)
  }, [onDebugApi, controller])

  const imagePoint = (event: { clientX: number; clientY: number }): PointRecord => {
    const rect = canvasRef.current!.getBoundingClientRect()
    return toImage(s.transform, { x: event.clientX - rect.left, y: event.clientY - rect.top })
  }
  const input = (event: React.PointerEvent | React.MouseEvent) => ({
    point: imagePoint(event),
    scale: s.transform.scale,
    shift: event.shiftKey,
    alt: event.altKey,
  })

  const tool = controller.tool
  const cursor = panMode ? 'grab' : tool ? 'crosshair' : 'default'
  return (
    <div className="lp-editor-stage" ref={containerRef}>
      <canvas
        ref={canvasRef}
        className="lp-editor-canvas"
        data-testid="editor-canvas"
        style={{ cursor }}
        onPointerDown={(event) => {
          if (event.button === 1 || (event.button === 0 && s.panMode)) {
            s.pan = { x: event.clientX, y: event.clientY, pointerId: event.pointerId }
            event.currentTarget.setPointerCapture(event.pointerId)
            return
          }
          if (event.button !== 0) return
          event.currentTarget.setPointerCapture(event.pointerId)
          controller.pointerDown(input(event))
        }}
        onPointerMove={(event) => {
          const pan = s.pan
          if (pan) {
            setTransform({
              ...s.transform,
              offsetX: s.transform.offsetX + event.clientX - pan.x,
              offsetY: s.transform.offsetY + event.clientY - pan.y,
            })
            pan.x = event.clientX
            pan.y = event.clientY
            return
          }
          controller.pointerMove(input(event))
        }}
        onPointerUp={(event) => {
          if (event.currentTarget.hasPointerCapture(event.pointerId))
            event.currentTarget.releasePointerCapture(event.pointerId)
          if (s.pan) {
            s.pan = null
            return
          }
          controller.pointerUp(input(event))
        }}
        onDoubleClick={() => controller.doubleClick()}
      />
      {children}
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
        <button type="button" title="Fit to view" onClick={fit}>
          Fit
        </button>
      </div>
    </div>
  )
}

/**
 * Whether the bulk drawn at `at` (the view plus MARGIN on each side) holds every part of the image
 * the view at `t` shows, at the same scale.
 */
function covers(
  at: ViewTransform,
  t: ViewTransform,
  size: { width: number; height: number },
  image: { imageWidth: number; imageHeight: number },
): boolean {
  const visible = (tr: ViewTransform, margin: number) => ({
    left: Math.max(0, (-margin - tr.offsetX) / tr.scale),
    top: Math.max(0, (-margin - tr.offsetY) / tr.scale),
    right: Math.min(image.imageWidth, (size.width + margin - tr.offsetX) / tr.scale),
    bottom: Math.min(image.imageHeight, (size.height + margin - tr.offsetY) / tr.scale),
  })
  const cached = visible(at, MARGIN)
  const shown = visible(t, 0)
  if (shown.right <= shown.left || shown.bottom <= shown.top) return true
  return (
    shown.left >= cached.left - 0.5 &&
    shown.top >= cached.top - 0.5 &&
    shown.right <= cached.right + 0.5 &&
    shown.bottom <= cached.bottom + 0.5
  )
}

/** Draws only the visible part of the image, from the smallest level that still has enough pixels. */
function drawImageClipped(
  ctx: CanvasRenderingContext2D,
  s: { image: CanvasImageSource | null; levels: { source: CanvasImageSource; width: number }[] },
  size: { imageWidth: number; imageHeight: number },
  t: ViewTransform,
  dpr: number,
  viewWidth: number,
  viewHeight: number,
): void {
  const image = s.image
  if (!image) return
  const { imageWidth, imageHeight } = size
  const needed = imageWidth * t.scale * dpr
  let source: CanvasImageSource = image
  let sourceWidth = (image as { width: number }).width
  for (const level of s.levels)
    if (level.width >= needed && level.width < sourceWidth) {
      source = level.source
      sourceWidth = level.width
    }
  const k = sourceWidth / imageWidth
  const left = Math.max(0, Math.floor(-t.offsetX / t.scale))
  const top = Math.max(0, Math.floor(-t.offsetY / t.scale))
  const right = Math.min(imageWidth, Math.ceil((viewWidth - t.offsetX) / t.scale))
  const bottom = Math.min(imageHeight, Math.ceil((viewHeight - t.offsetY) / t.scale))
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
