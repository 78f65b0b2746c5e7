export * from './DiagnosisCard';
