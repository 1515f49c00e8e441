// re-exports of export/
export {}
