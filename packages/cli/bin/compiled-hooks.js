// Module resolve hook of the compiled CLI: every import resolves with the `labelport-compiled`
// export condition, so the workspace packages load their dist/ JavaScript (the server child gets
// the same condition as a node flag).
export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, 'labelport-compiled'] })
}
