// Placeholder: the masks work implements this file.
export {}
