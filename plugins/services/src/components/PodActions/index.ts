export * from './PodActions';
