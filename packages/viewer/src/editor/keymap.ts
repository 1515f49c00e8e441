/**
 * The editor's keyboard: actions, their default keys, and matching a key event to an action.
 * Keys are written `ctrl+shift+z`, `shift+a`, `1`, `?`, `space`, `delete`. Users may remap any
 * action (the web app keeps overrides in localStorage); `Cmd` counts as `Ctrl` on macOS.
 */

export const EDITOR_ACTIONS = [
  ['tool1', 'Tool 1 of the ontology'],
  ['tool2', 'Tool 2'],
  ['tool3', 'Tool 3'],
  ['tool4', 'Tool 4'],
  ['tool5', 'Tool 5'],
  ['tool6', 'Tool 6'],
  ['tool7', 'Tool 7'],
  ['tool8', 'Tool 8'],
  ['tool9', 'Tool 9'],
  ['select', 'Selection pointer (click an object to select it, Shift+click adds)'],
  ['cancel', 'Cancel the shape being drawn, else deselect'],
  ['delete', 'Delete the selection'],
  ['undo', 'Undo'],
  ['redo', 'Redo'],
  ['submit', 'Submit the label and open the next data row'],
  ['accept', 'Accept the selected suggestion'],
  ['acceptAll', 'Accept all shown suggestions'],
  ['reject', 'Reject the selected suggestion'],
  ['skip', 'Skip to the next data row'],
  ['finish', 'Close the polygon / end the polyline being drawn'],
  ['removePoint', 'Remove the last vertex while drawing'],
  ['brush', 'Mask tool: brush'],
  ['eraser', 'Mask tool: eraser'],
  ['fill', 'Mask tool: polygon fill'],
  ['smaller', 'Smaller brush'],
  ['larger', 'Larger brush'],
  ['hide', 'Hide or show the selection'],
  ['lock', 'Lock or unlock the selection'],
  ['pastePrevious', "Paste the previous data row's objects"],
  ['help', 'Show this list'],
] as const

export type EditorAction = (typeof EDITOR_ACTIONS)[number][0]
export type Keymap = Record<EditorAction, string>

export const DEFAULT_KEYMAP: Keymap = {
  tool1: '1',
  tool2: '2',
  tool3: '3',
  tool4: '4',
  tool5: '5',
  tool6: '6',
  tool7: '7',
  tool8: '8',
  tool9: '9',
  select: 'v',
  cancel: 'escape',
  delete: 'delete',
  undo: 'ctrl+z',
  redo: 'ctrl+shift+z',
  submit: 'ctrl+enter',
  accept: 'a',
  acceptAll: 'shift+a',
  reject: 'x',
  skip: 'n',
  finish: 'enter',
  removePoint: 'backspace',
  brush: 'b',
  eraser: 'e',
  fill: 'f',
  smaller: '[',
  larger: ']',
  hide: 'h',
  lock: 'l',
  pastePrevious: 'shift+v',
  help: '?',
}

/** Space+drag pans; it is held, not pressed, so it is not an action. */
export const PAN_KEY = 'space'

const NAMED: Record<string, string> = {
  ' ': 'space',
  Escape: 'escape',
  Esc: 'escape',
  Delete: 'delete',
  Backspace: 'backspace',
  Enter: 'enter',
  Tab: 'tab',
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
}

/** A key event as a key string: modifiers in the order ctrl, alt, shift. */
export function keyOf(event: {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  shiftKey: boolean
}): string {
  let key = NAMED[event.key] ?? event.key.toLowerCase()
  // a printable symbol already says whether Shift was down ('?' is Shift+/ on many layouts)
  const symbol = key.length === 1 && !/[a-z0-9]/.test(key)
  const parts: string[] = []
  if (event.ctrlKey || event.metaKey) parts.push('ctrl')
  if (event.altKey) parts.push('alt')
  if (event.shiftKey && !symbol) parts.push('shift')
  if (key === 'del') key = 'delete'
  parts.push(key)
  return parts.join('+')
}

/** Normalizes what a user typed as a binding (`Ctrl + Shift + Z` → `ctrl+shift+z`). */
export function normalizeKey(text: string): string {
  const parts = text
    .toLowerCase()
    .split('+')
    .map((p) => p.trim())
    .filter(Boolean)
  const key = parts.filter((p) => !['ctrl', 'cmd', 'meta', 'control', 'alt', 'shift'].includes(p))
  const out: string[] = []
  if (parts.some((p) => ['ctrl', 'cmd', 'meta', 'control'].includes(p))) out.push('ctrl')
  if (parts.includes('alt')) out.push('alt')
  if (parts.includes('shift')) out.push('shift')
  out.push(...(key.length > 0 ? key : ['']))
  return out.join('+')
}

/** The defaults with the user's overrides; unknown actions and empty keys are ignored. */
export function mergeKeymap(overrides: unknown): Keymap {
  const map: Keymap = { ...DEFAULT_KEYMAP }
  if (overrides && typeof overrides === 'object')
    for (const [action, key] of Object.entries(overrides))
      if (action in map && typeof key === 'string' && key.trim() !== '')
        map[action as EditorAction] = normalizeKey(key)
  return map
}

/** The action bound to a key string, if any (the first in EDITOR_ACTIONS order wins). */
export function actionFor(keymap: Keymap, key: string): EditorAction | undefined {
  for (const [action] of EDITOR_ACTIONS) if (keymap[action] === key) return action
  return undefined
}

/** How a key string reads on screen: `Ctrl+Shift+Z`. */
export function displayKey(key: string): string {
  return key
    .split('+')
    .map((p) => (p.length === 1 ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1)))
    .join('+')
}
