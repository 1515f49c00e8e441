// Placeholder: OntologyBuilder, Tool, Classification, Option.
export {}
