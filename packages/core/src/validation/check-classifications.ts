/**
 * Answers and nested questions, to any depth: every answer must be an option of its question,
 * every nested question must be defined under the tool or option it is given under.
 */
import type { Issue, IssuePath } from '../errors.ts'
import type { AnswerRecord, ClassificationRecord } from '../model/annotation-record.ts'
import type {
  ClassificationScope,
  IndexedClassification,
  IndexedOption,
} from '../ontology/ontology-index.ts'
import {
  add,
  at,
  isAbsent,
  isObject,
  readScores,
  show,
  wrongType,
  type Json,
} from './check-values.ts'
import { checkFeatureRef } from '../ndjson/line-grammar.ts'

/** The answer of a classification: `answer`, or `answers` (Labelbox accepts it for checklists). */
export function answerKey(source: Json): 'answer' | 'answers' {
  return isAbsent(source.answer) && !isAbsent(source.answers) ? 'answers' : 'answer'
}

/** Builds the record of `question` answered by `answer` (at `path`); scores of the question are the caller's. */
export function checkAnswer(
  question: IndexedClassification,
  answer: unknown,
  path: IssuePath,
  issues: Issue[],
): ClassificationRecord | undefined {
  switch (question.type) {
    case 'text':
      if (typeof answer !== 'string') {
        add(
          issues,
          'text_answer_invalid',
          `'${question.name}' is a text question: its answer must be a string, got ${show(answer)}`,
          path,
        )
        return undefined
      }
      return {
        type: 'text',
        featureSchemaId: question.featureSchemaId,
        name: question.name,
        text: answer,
      }
    case 'radio': {
      if (!isObject(answer)) {
        add(
          issues,
          'radio_answer_invalid',
          `'${question.name}' is a radio question: its answer must be an object {name|schemaId}, got ${show(answer)}`,
          path,
        )
        return undefined
      }
      const chosen = checkOption(question, answer, path, issues)
      return chosen === undefined
        ? undefined
        : {
            type: 'radio',
            featureSchemaId: question.featureSchemaId,
            name: question.name,
            answer: chosen,
          }
    }
    case 'checklist': {
      // the guide's own nested checklist sends one object instead of a list: accept it as a list of one
      if (isObject(answer)) {
        const chosen = checkOption(question, answer, path, issues)
        return chosen === undefined
          ? undefined
          : {
              type: 'checklist',
              featureSchemaId: question.featureSchemaId,
              name: question.name,
              answers: [chosen],
            }
      }
      if (!Array.isArray(answer) || answer.length === 0) {
        add(
          issues,
          'checklist_answer_invalid',
          `'${question.name}' is a checklist question: its answer must be a non-empty list of {name|schemaId}, got ${show(answer)}`,
          path,
        )
        return undefined
      }
      const answers: AnswerRecord[] = []
      const before = issues.length
      for (let i = 0; i < answer.length; i++) {
        const item: unknown = answer[i]
        if (!isObject(item)) {
          add(
            issues,
            'checklist_answer_invalid',
            `checklist answer ${i} must be an object {name|schemaId}, got ${show(item)}`,
            at(path, i),
          )
          continue
        }
        const chosen = checkOption(question, item, at(path, i), issues)
        if (chosen === undefined) continue
        if (answers.some((a) => a.featureSchemaId === chosen.featureSchemaId)) {
          add(
            issues,
            'checklist_answer_duplicate',
            `'${chosen.name}' is given twice as an answer of '${question.name}'`,
            at(path, i),
          )
          continue
        }
        answers.push(chosen)
      }
      return issues.length > before
        ? undefined
        : {
            type: 'checklist',
            featureSchemaId: question.featureSchemaId,
            name: question.name,
            answers,
          }
    }
  }
}

function checkOption(
  question: IndexedClassification,
  answer: Json,
  path: IssuePath,
  issues: Issue[],
): AnswerRecord | undefined {
  const option = resolveOption(question, answer, path, issues)
  if (option === undefined) return undefined
  const before = issues.length
  const record: AnswerRecord = {
    featureSchemaId: option.featureSchemaId,
    name: option.value,
    classifications: [],
  }
  readScores(answer, path, record, issues)
  const nested = answer.classifications
  if (!isAbsent(nested))
    checkNestedList(
      nested,
      option.classifications,
      `answer '${option.value}'`,
      path,
      record.classifications,
      issues,
    )
  return issues.length > before ? undefined : record
}

function resolveOption(
  question: IndexedClassification,
  answer: Json,
  path: IssuePath,
  issues: Issue[],
): IndexedOption | undefined {
  const ref = checkFeatureRef(
    answer,
    path,
    { message: `an answer of '${question.name}' needs a name or a schemaId`, path },
    issues,
  )
  if (!ref) return undefined
  const { name, schemaId } = ref
  const byName = isAbsent(name) ? undefined : question.optionsByValue.get(name)
  const byId = isAbsent(schemaId) ? undefined : question.optionsById.get(schemaId)
  if (!isAbsent(name) && byName === undefined)
    return unknownAnswer(question, `'${name}'`, at(path, 'name'), issues)
  if (!isAbsent(schemaId) && byId === undefined)
    return unknownAnswer(question, `schemaId '${schemaId}'`, at(path, 'schemaId'), issues)
  if (byName !== undefined && byId !== undefined && byName !== byId) {
    add(
      issues,
      'feature_conflict',
      `answer name '${byName.value}' and schemaId '${byId.featureSchemaId}' name different options of '${question.name}'`,
      at(path, 'schemaId'),
    )
    return undefined
  }
  return byName ?? byId
}

function unknownAnswer(
  question: IndexedClassification,
  what: string,
  path: IssuePath,
  issues: Issue[],
): undefined {
  const options = [...question.optionsByValue.keys()].map((v) => `'${v}'`).join(', ')
  add(
    issues,
    'answer_unknown',
    `${what} is not an option of '${question.name}' (options: ${options || 'none'})`,
    path,
  )
  return undefined
}

/**
 * Nested questions under a tool or an option (`scope`), each {name|schemaId, answer, confidence?,
 * customMetrics?}; records are appended to `out`.
 */
export function checkNestedList(
  list: unknown,
  scope: ClassificationScope,
  owner: string,
  path: IssuePath,
  out: ClassificationRecord[],
  issues: Issue[],
): void {
  if (!Array.isArray(list))
    return void wrongType(issues, at(path, 'classifications'), 'a list', list)
  for (let i = 0; i < list.length; i++) {
    const itemPath = at(path, 'classifications', i)
    const item: unknown = list[i]
    if (!isObject(item)) {
      wrongType(issues, itemPath, 'an object {name|schemaId, answer}', item)
      continue
    }
    const question = resolveNested(item, scope, owner, itemPath, issues)
    if (question === undefined) continue
    const key = answerKey(item)
    const before = issues.length
    const record = checkAnswer(question, item[key], at(itemPath, key), issues)
    if (record === undefined) continue
    readScores(item, itemPath, record, issues)
    if (issues.length === before) out.push(record)
  }
}

function resolveNested(
  item: Json,
  scope: ClassificationScope,
  owner: string,
  path: IssuePath,
  issues: Issue[],
): IndexedClassification | undefined {
  const ref = checkFeatureRef(
    item,
    path,
    { message: `a classification under ${owner} needs a name or a schemaId`, path },
    issues,
  )
  if (!ref) return undefined
  const { name, schemaId } = ref
  const given = isAbsent(name) ? `schemaId '${String(schemaId)}'` : `'${name}'`
  if (scope.byId.size === 0) {
    add(
      issues,
      'classification_too_deep',
      `${given} is nested under ${owner}, which has no nested classifications in the ontology`,
      path,
    )
    return undefined
  }
  const byName = isAbsent(name) ? undefined : scope.byName.get(name)
  const byId = isAbsent(schemaId) ? undefined : scope.byId.get(schemaId)
  if ((!isAbsent(name) && byName === undefined) || (!isAbsent(schemaId) && byId === undefined)) {
    const allowed = [...scope.byName.keys()].map((n) => `'${n}'`).join(', ')
    const key = !isAbsent(name) && byName === undefined ? 'name' : 'schemaId'
    add(
      issues,
      'classification_not_in_scope',
      `${given} is not a classification under ${owner} (defined there: ${allowed})`,
      at(path, key),
    )
    return undefined
  }
  if (byName !== undefined && byId !== undefined && byName !== byId) {
    add(
      issues,
      'feature_conflict',
      `name '${byName.name}' and schemaId '${byId.featureSchemaId}' name different classifications under ${owner}`,
      at(path, 'schemaId'),
    )
    return undefined
  }
  return byName ?? byId
}
