// Placeholder: the masks work implements this file (size limit, timeout, private-address refusal).
export {}
