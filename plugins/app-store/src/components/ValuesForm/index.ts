export { ValuesForm, hasValueFields, setValueAt } from './ValuesForm';
export type { Values, ValuesSchema } from './ValuesForm';
