// Placeholder: NDJsonConverter.
export {}
