import { mount } from 'svelte'
// Khmer (and Latin) shipped with the app, so Khmer renders on a machine without a Khmer font.
import '@fontsource/noto-sans-khmer/400.css'
import '@fontsource/noto-sans-khmer/600.css'
import './app.css'
import App from './App.svelte'
import { rejectRefusedCalls } from './lib/isolation'

rejectRefusedCalls()

const target = document.getElementById('app')
if (target) mount(App, { target })
