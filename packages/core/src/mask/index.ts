// re-exports of mask/
export {}
