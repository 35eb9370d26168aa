import { expect, it } from 'vitest'
import { layeredPositions } from './graph-layout'

const spacing = { columnWidth: 100, rowHeight: 10, partGap: 5 }

it('hangs each part from its busiest cluster, one column per edge of distance', () => {
  const positions = layeredPositions(
    ['a', 'b', 'c', 'far'],
    [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'far'],
    ],
    spacing,
  )
  // b and c both have two neighbours; ties go alphabetically, so b is the root.
  expect(positions['b']).toEqual({ x: 0, y: 5 })
  expect(positions['a']).toEqual({ x: 100, y: 0 })
  expect(positions['c']).toEqual({ x: 100, y: 10 })
  expect(positions['far']).toEqual({ x: 200, y: 5 })
})

it('stacks disconnected parts and lone clusters without overlap; parallel edges count once', () => {
  const positions = layeredPositions(
    ['x', 'y', 'lone'],
    [
      ['x', 'y'],
      ['x', 'y'],
      ['x', 'ghost'],
    ],
    spacing,
  )
  expect(positions['x']).toEqual({ x: 0, y: 0 })
  expect(positions['y']).toEqual({ x: 100, y: 0 })
  expect(positions['lone']).toEqual({ x: 0, y: 15 })
  expect(Object.keys(positions).sort()).toEqual(['lone', 'x', 'y'])
})
