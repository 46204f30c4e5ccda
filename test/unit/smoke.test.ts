import { REGIONS } from '../../main/anaplan/regions.js';
test('regions load', () => expect(REGIONS.length).toBe(19));
