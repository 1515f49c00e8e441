/** Meta-test: every format the import reads has a test of a damaged file of its own. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { READ_FORMATS } from './node/read.ts'

const TEST_FILE: Record<(typeof READ_FORMATS)[number], string> = {
  coco: 'coco.test.ts',
  'coco-results': 'coco.test.ts',
  'coco-panoptic': 'coco-panoptic.test.ts',
  yolo: 'yolo.test.ts',
  voc: 'voc.test.ts',
  cvat: 'cvat.test.ts',
  labelstudio: 'labelstudio.test.ts',
  labelme: 'labelme.test.ts',
  labelbox: 'labelbox.test.ts',
}

void test('every read format has a damaged-file test asserting coded format issues', () => {
  for (const format of READ_FORMATS) {
    const text = readFileSync(new URL(TEST_FILE[format], import.meta.url), 'utf8')
    assert.match(text, /void test\('[^']*(damaged|broken|wrong)/i, `${format}: a damaged-file test`)
    assert.match(text, /format_[a-z_]+/, `${format}: its test names format_* codes`)
  }
})
