export { createHttpApp, type HttpApp } from './server';
