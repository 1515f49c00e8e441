/** @module @labelport/viewer: React components that draw and list annotations. Props in, callbacks out; they never fetch. */
export { AnnotationViewer, FIRST_RENDER_MARK } from './annotation-viewer.tsx'
export type {
  AnnotationViewerProps,
  DrawnAnnotation,
  LayerVisibility,
  ViewerDebugApi,
} from './annotation-viewer.tsx'
export { AnnotationList } from './annotation-list.tsx'
export type { AnnotationListProps } from './annotation-list.tsx'
export {
  AnnotationDetails,
  ClassificationTree,
  LAYER_LABELS,
  TOOL_LABELS,
  formatConfidence,
} from './annotation-details.tsx'
export { OntologyTree } from './ontology-tree.tsx'
export {
  buildScene,
  boundsOf,
  centerOf,
  fitTransform,
  toImage,
  toScreen,
  toolColors,
  zoomAround,
  FALLBACK_COLOR,
} from './scene.ts'
export type {
  Scene,
  SceneObject,
  SceneRelationship,
  ShapeGeometry,
  ViewTransform,
  ViewerAnnotation,
} from './scene.ts'
export { decodeMaskCrop, maskCovers, maskPixels } from './mask-bitmap.ts'
export type { DecodedMask } from './mask-bitmap.ts'
export { buildGridIndex, hitTest, hitsObject } from './hit-test.ts'
