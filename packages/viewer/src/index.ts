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
export { EditorDocument, HISTORY_LIMIT } from './editor/editor-document.ts'
export { EditorController } from './editor/editor-controller.ts'
export type { EditorTool, MaskMode, PointerInput } from './editor/editor-controller.ts'
export {
  acceptSuggestions,
  changeClass,
  deleteItems,
  pasteItems,
  rejectSuggestions,
  setAnswers,
  shownSuggestions,
} from './editor/editor-commands.ts'
export { EditorCanvas } from './editor/editor-canvas.tsx'
export type { EditorCanvasProps, EditorDebugApi } from './editor/editor-canvas.tsx'
export {
  answersFromRecords,
  fromAnnotationRecord,
  fromDraftAnnotation,
  toDraftAnnotation,
} from './editor/draft-format.ts'
export type { DraftAnnotation } from './editor/draft-format.ts'
export {
  DEFAULT_KEYMAP,
  EDITOR_ACTIONS,
  PAN_KEY,
  actionFor,
  displayKey,
  keyOf,
  mergeKeymap,
  normalizeKey,
} from './editor/keymap.ts'
export type { EditorAction, Keymap } from './editor/keymap.ts'
export type {
  Answer,
  Answers,
  EditorGeometry,
  EditorItem,
  MaskBitmap,
  ObjectItem,
  Provenance,
} from './editor/model.ts'
