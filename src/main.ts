/// <reference types="vite-plugin-pwa/client" />
// Entry point of the lab page: mounts <tuning-lab> and registers the service worker that
// keeps the lab working offline after its first load.
import { registerSW } from 'virtual:pwa-register';
import './ui/tuning-lab.ts';

document.body.append(document.createElement('tuning-lab'));
registerSW({ immediate: true });
