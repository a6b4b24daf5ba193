// The screens Home opens with a button, named once for Home and for the frame (App.svelte)
// that switches to them.

export type HomeDestination =
  | 'settings'
  | 'export'
  | 'import'
  | 'conflicts'
  | 'devices'
  | 'reports'
  | 'search'
  | 'persons'
  | 'establishments'
  | 'cases'
