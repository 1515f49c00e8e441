// re-exports of geometry/
export {}
