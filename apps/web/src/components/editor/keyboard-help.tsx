/**
 * The `?` overlay: every editor action with its key, and remapping (click "Change", press the new
 * key). Overrides live in localStorage under `labelport.editor.keymap`.
 */
import { useState } from 'react'
import { DEFAULT_KEYMAP, EDITOR_ACTIONS, displayKey, keyOf, mergeKeymap } from '@labelport/viewer'
import type { EditorAction, Keymap } from '@labelport/viewer'

const STORAGE_KEY = 'labelport.editor.keymap'

export function loadKeymap(): Keymap {
  try {
    return mergeKeymap(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}'))
  } catch {
    return { ...DEFAULT_KEYMAP }
  }
}

export function saveKeymap(keymap: Keymap): void {
  const overrides: Partial<Keymap> = {}
  for (const [action] of EDITOR_ACTIONS)
    if (keymap[action] !== DEFAULT_KEYMAP[action]) overrides[action] = keymap[action]
  localStorage.setItem(STORAGE_KEY, JSON.stringify(overrides))
}

export function KeyboardHelp({
  keymap,
  toolNames,
  onChange,
  onClose,
}: {
  keymap: Keymap
  /** the ontology's tools in order, named in the rows of keys 1–9 */
  toolNames: readonly string[]
  onChange: (keymap: Keymap) => void
  onClose: () => void
}) {
  const [listening, setListening] = useState<EditorAction | null>(null)
  return (
    <div
      className="lp-keyhelp"
      role="dialog"
      aria-modal="true"
      aria-label="Keyboard shortcuts"
      data-testid="keyboard-help"
      onKeyDown={(event) => {
        event.stopPropagation()
        if (!listening) {
          if (event.key === 'Escape') onClose()
          return
        }
        event.preventDefault()
        if (['Control', 'Shift', 'Alt', 'Meta'].includes(event.key)) return
        if (event.key !== 'Escape') {
          const next = { ...keymap, [listening]: keyOf(event) }
          saveKeymap(next)
          onChange(next)
        }
        setListening(null)
      }}
    >
      <div className="lp-keyhelp__box">
        <div className="lp-keyhelp__head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="lp-button lp-button--small" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
        <p className="lp-muted lp-small">
          Space + drag pans, the wheel zooms around the cursor, Alt+click deletes a polygon vertex,
          clicking an edge of the selected polygon inserts one. Change a key: click Change, then
          press the new key (Esc keeps the old one).
        </p>
        <table className="lp-table lp-keyhelp__table">
          <tbody>
            {EDITOR_ACTIONS.map(([action, generic]) => {
              const tool = /^tool(\d)$/.exec(action)
              if (tool && !toolNames[Number(tool[1]) - 1]) return null
              const description = tool ? `Tool: ${toolNames[Number(tool[1]) - 1]}` : generic
              return (
                <tr key={action} data-testid={`key-${action}`}>
                  <td>
                    <kbd>{listening === action ? 'press a key…' : displayKey(keymap[action])}</kbd>
                  </td>
                  <td>{description}</td>
                  <td>
                    <button
                      type="button"
                      className="lp-link-button"
                      aria-label={`Change the key of: ${description}`}
                      onClick={() => setListening(action)}
                    >
                      Change
                    </button>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
        <button
          type="button"
          className="lp-link-button"
          onClick={() => {
            saveKeymap(DEFAULT_KEYMAP)
            onChange({ ...DEFAULT_KEYMAP })
          }}
        >
          Restore the default keys
        </button>
      </div>
    </div>
  )
}
