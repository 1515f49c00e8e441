// Placeholder: COCO RLE codec (masks work).
export {}
