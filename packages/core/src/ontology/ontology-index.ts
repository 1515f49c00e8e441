// Placeholder: completeOntology, OntologyIndex.
export {}
