export { CardSection, TextOrNote } from './CardSection';
export { FieldGrid } from './FieldGrid';
export { SpecRefLink } from './SpecRefLink';
