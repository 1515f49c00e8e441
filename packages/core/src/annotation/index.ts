// re-exports of annotation/
export {}
