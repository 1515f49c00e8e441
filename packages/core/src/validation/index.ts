// re-exports of validation/
export {}
