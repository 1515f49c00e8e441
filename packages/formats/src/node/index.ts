/** Node-only helpers of @labelport/formats: files, folders and image sizes. */
export * from './files.ts'
export * from './images.ts'
export * from './yolo-dir.ts'
export * from './voc-dir.ts'
export * from './read.ts'
export * from './labelme-dir.ts'
export * from './coco-panoptic-dir.ts'
