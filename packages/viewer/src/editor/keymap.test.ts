import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import {
  DEFAULT_KEYMAP,
  actionFor,
  displayKey,
  keyOf,
  mergeKeymap,
  normalizeKey,
} from './keymap.ts'

const event = (
  key: string,
  mods: { ctrl?: boolean; meta?: boolean; alt?: boolean; shift?: boolean } = {},
) => ({
  key,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  altKey: mods.alt ?? false,
  shiftKey: mods.shift ?? false,
})

describe('keymap', () => {
  it('matches the issue’s default keys', () => {
    const k = DEFAULT_KEYMAP
    assert.equal(actionFor(k, keyOf(event('3'))), 'tool3')
    assert.equal(actionFor(k, keyOf(event('v'))), 'select')
    assert.equal(actionFor(k, keyOf(event('Escape'))), 'cancel')
    assert.equal(actionFor(k, keyOf(event('Delete'))), 'delete')
    assert.equal(actionFor(k, keyOf(event('z', { ctrl: true }))), 'undo')
    assert.equal(actionFor(k, keyOf(event('Z', { ctrl: true, shift: true }))), 'redo')
    assert.equal(actionFor(k, keyOf(event('z', { meta: true, shift: true }))), 'redo')
    assert.equal(actionFor(k, keyOf(event('Enter', { ctrl: true }))), 'submit')
    assert.equal(actionFor(k, keyOf(event('a'))), 'accept')
    assert.equal(actionFor(k, keyOf(event('A', { shift: true }))), 'acceptAll')
    assert.equal(actionFor(k, keyOf(event('x'))), 'reject')
    assert.equal(actionFor(k, keyOf(event('n'))), 'skip')
    assert.equal(actionFor(k, keyOf(event('?', { shift: true }))), 'help')
    assert.equal(keyOf(event(' ')), 'space')
  })

  it('takes user overrides, normalized, and ignores junk', () => {
    const k = mergeKeymap({ submit: 'Ctrl + S', accept: '', nothing: 'q', skip: 7 })
    assert.equal(k.submit, 'ctrl+s')
    assert.equal(k.accept, 'a')
    assert.equal(k.skip, 'n')
    assert.equal(actionFor(k, keyOf(event('s', { ctrl: true }))), 'submit')
    assert.equal(normalizeKey('Shift+Cmd+Z'), 'ctrl+shift+z')
    assert.equal(displayKey('ctrl+shift+z'), 'Ctrl+Shift+Z')
  })
})
