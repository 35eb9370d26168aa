import { readFileSync } from 'node:fs'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { FILER_PROTO_PATH } from '../src/index.js'

/**
 * Our filer.proto must agree with upstream SeaweedFS 4.44 field for field. The facts file is the
 * upstream proto as data (a copy of shared/spec/filer-proto-facts.json in fixtures/); any difference
 * fails here.
 */
interface FieldFact {
  id: number
  type: string
  rule: 'single' | 'repeated' | 'map'
  keyType?: string
}
interface Facts {
  services: Record<
    string,
    Record<
      string,
      { request: string; response: string; requestStream: boolean; responseStream: boolean }
    >
  >
  messages: Record<string, Record<string, FieldFact>>
  enums: Record<string, Record<string, number>>
}

const facts = JSON.parse(
  readFileSync(new URL('./fixtures/filer-proto-facts.json', import.meta.url), 'utf8'),
) as Facts

const root = new protobuf.Root().loadSync(FILER_PROTO_PATH, { keepCase: true })
root.resolveAll()
const pkg = root.lookup('filer_pb') as protobuf.Namespace

/** Every message and enum in the package, keyed by its name relative to `filer_pb` (`WriteCondition.Clause`). */
function collect(
  ns: protobuf.NamespaceBase,
  prefix: string,
  types: Map<string, protobuf.Type>,
  enums: Map<string, protobuf.Enum>,
): void {
  for (const nested of ns.nestedArray) {
    const name = prefix + nested.name
    if (nested instanceof protobuf.Type) {
      types.set(name, nested)
      collect(nested, `${name}.`, types, enums)
    } else if (nested instanceof protobuf.Enum) {
      enums.set(name, nested)
    }
  }
}
const ourTypes = new Map<string, protobuf.Type>()
const ourEnums = new Map<string, protobuf.Enum>()
collect(pkg, '', ourTypes, ourEnums)

function describeField(field: protobuf.Field): FieldFact {
  if (field instanceof protobuf.MapField) {
    return { id: field.id, type: field.type, rule: 'map', keyType: field.keyType }
  }
  return { id: field.id, type: field.type, rule: field.repeated ? 'repeated' : 'single' }
}

describe('filer.proto agrees with upstream SeaweedFS 4.44', () => {
  it('has exactly the upstream messages', () => {
    expect([...ourTypes.keys()].sort()).toEqual(Object.keys(facts.messages).sort())
  })

  it.each(Object.keys(facts.messages))('message %s matches field for field', (name) => {
    const type = ourTypes.get(name)
    expect(type, `message ${name} missing`).toBeDefined()
    const ours = Object.fromEntries(type!.fieldsArray.map((f) => [f.name, describeField(f)]))
    expect(ours).toEqual(facts.messages[name])
  })

  it('has exactly the upstream enums and values', () => {
    const ours = Object.fromEntries([...ourEnums].map(([name, e]) => [name, e.values]))
    expect(ours).toEqual(facts.enums)
  })

  it('declares every upstream RPC with the same request/response types and streaming kinds', () => {
    const service = pkg.lookupService('SeaweedFiler')
    const ours = Object.fromEntries(
      service.methodsArray.map((m) => [
        m.name,
        {
          request: m.requestType,
          response: m.responseType,
          requestStream: Boolean(m.requestStream),
          responseStream: Boolean(m.responseStream),
        },
      ]),
    )
    expect(ours).toEqual(facts.services.SeaweedFiler)
    expect(Object.keys(facts.services)).toEqual(['SeaweedFiler'])
  })

  it('would notice a changed field number (the comparison is not vacuous)', () => {
    const entry = structuredClone(facts.messages.Entry!)
    entry.content = { ...entry.content!, id: 99 }
    const ours = Object.fromEntries(
      ourTypes.get('Entry')!.fieldsArray.map((f) => [f.name, describeField(f)]),
    )
    expect(ours).not.toEqual(entry)
  })
})
