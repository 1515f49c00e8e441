/** The ontology of Labelbox's "Import image annotations" guide, Step 2, with every tool and classification kind. */
import { Classification, OntologyBuilder, Option, Tool } from '@labelport/sdk'

export function guideOntologyBuilder(): OntologyBuilder {
  return new OntologyBuilder({
    classifications: [
      new Classification({
        classType: Classification.Type.RADIO,
        name: 'radio_question',
        options: [
          new Option({ value: 'first_radio_answer' }),
          new Option({ value: 'second_radio_answer' }),
        ],
      }),
      new Classification({
        classType: Classification.Type.CHECKLIST,
        name: 'checklist_question',
        options: [
          new Option({ value: 'first_checklist_answer' }),
          new Option({ value: 'second_checklist_answer' }),
        ],
      }),
      new Classification({ classType: Classification.Type.TEXT, name: 'free_text' }),
      new Classification({
        classType: Classification.Type.RADIO,
        name: 'nested_radio_question',
        options: [
          new Option({
            value: 'first_radio_answer',
            options: [
              new Classification({
                classType: Classification.Type.RADIO,
                name: 'sub_radio_question',
                options: [new Option({ value: 'first_sub_radio_answer' })],
              }),
            ],
          }),
        ],
      }),
      new Classification({
        classType: Classification.Type.CHECKLIST,
        name: 'nested_checklist_question',
        options: [
          new Option({
            value: 'first_checklist_answer',
            options: [
              new Classification({
                classType: Classification.Type.CHECKLIST,
                name: 'sub_checklist_question',
                options: [new Option({ value: 'first_sub_checklist_answer' })],
              }),
            ],
          }),
        ],
      }),
    ],
    tools: [
      new Tool({ tool: Tool.Type.BBOX, name: 'bounding_box' }),
      new Tool({
        tool: Tool.Type.BBOX,
        name: 'bbox_with_radio_subclass',
        classifications: [
          new Classification({
            classType: Classification.Type.RADIO,
            name: 'sub_radio_question',
            options: [new Option({ value: 'first_sub_radio_answer' })],
          }),
        ],
      }),
      new Tool({ tool: Tool.Type.POLYGON, name: 'polygon' }),
      new Tool({ tool: Tool.Type.RASTER_SEGMENTATION, name: 'mask' }),
      new Tool({
        tool: Tool.Type.RASTER_SEGMENTATION,
        name: 'mask_with_text_subclass',
        classifications: [
          new Classification({ classType: Classification.Type.TEXT, name: 'sub_free_text' }),
        ],
      }),
      new Tool({ tool: Tool.Type.POINT, name: 'point' }),
      new Tool({ tool: Tool.Type.LINE, name: 'polyline' }),
      new Tool({ tool: Tool.Type.RELATIONSHIP, name: 'relationship' }),
    ],
  })
}
