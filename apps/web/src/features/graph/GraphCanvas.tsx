import { memo, useEffect, useRef } from 'react'
import type { GraphController } from './graph-controller'

/**
 * The Cytoscape host: created once on mount, destroyed on unmount, and never re-rendered
 * (STYLE.md §15, Kiali's wrapper); every later change goes through the controller.
 */
export const GraphCanvas = memo(
  function GraphCanvas({ controller }: { readonly controller: GraphController }) {
    const ref = useRef<HTMLDivElement>(null)
    useEffect(() => {
      if (ref.current === null) return
      controller.mount(ref.current)
      // The canvas follows its box (window resize, narrow layout, styles arriving late).
      const observer =
        typeof ResizeObserver === 'undefined'
          ? undefined
          : new ResizeObserver(() => controller.resized())
      observer?.observe(ref.current)
      return () => {
        observer?.disconnect()
        controller.destroy()
      }
    }, [controller])
    return (
      <div
        ref={ref}
        className="graph-canvas"
        role="region"
        aria-label="Topology graph"
        aria-describedby="graph-help"
        data-testid="topology-graph"
      />
    )
  },
  () => true,
)
