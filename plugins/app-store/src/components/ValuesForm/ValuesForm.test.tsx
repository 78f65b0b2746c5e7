import { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { setValueAt, Values, ValuesForm, ValuesSchema } from './ValuesForm';
import { redisDetail } from '../../testUtils/fakeAppStoreApi';

function Harness(props: { onValues: (v: Values) => void; exclude?: string[] }) {
  const [values, setValues] = useState<Values>({});
  return (
    <ValuesForm
      schema={redisDetail.valuesSchema as ValuesSchema}
      values={values}
      exclude={props.exclude}
      errors={{ 'values.storage.storageClass': 'no such StorageClass' }}
      onChange={v => {
        setValues(v);
        props.onValues(v);
      }}
    />
  );
}

describe('ValuesForm', () => {
  it("renders the schema's properties, groups for objects, nothing for what it cannot edit", () => {
    render(<Harness onValues={() => {}} />);
    expect(screen.getByLabelText('Volume size')).toBeInTheDocument();
    expect(screen.getByLabelText('Eviction policy')).toBeInTheDocument();
    expect(screen.getByText('Metrics')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'enabled' })).not.toBeChecked();
    // a map (podAnnotations) and a list (tolerations) stay the chart's values.yaml's business
    expect(screen.queryByText('podAnnotations')).not.toBeInTheDocument();
    expect(screen.queryByText('tolerations')).not.toBeInTheDocument();
    expect(screen.getByLabelText('StorageClass')).toHaveAccessibleDescription(
      'no such StorageClass',
    );
  });

  it('keeps only what the user set, nested as the chart reads it, and drops what is cleared', () => {
    const seen: Values[] = [];
    render(
      <Harness
        onValues={v => seen.push(v)}
        exclude={['preset', 'storage.size', 'auth.password']}
      />,
    );
    expect(screen.queryByLabelText('Volume size')).not.toBeInTheDocument();
    expect(screen.queryByText('Credentials')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('StorageClass'), {
      target: { value: 'fast' },
    });
    fireEvent.click(screen.getByRole('checkbox', { name: 'enabled' }));
    expect(seen[seen.length - 1]).toEqual({
      storage: { storageClass: 'fast' },
      metrics: { enabled: true },
    });
    fireEvent.change(screen.getByLabelText('StorageClass'), {
      target: { value: '' },
    });
    fireEvent.click(screen.getByRole('checkbox', { name: 'enabled' }));
    expect(seen[seen.length - 1]).toEqual({});
  });

  it('sets and removes nested values without touching their siblings', () => {
    const values = { a: { b: 1, c: 2 } };
    expect(setValueAt(values, ['a', 'b'], undefined)).toEqual({ a: { c: 2 } });
    expect(setValueAt(values, ['a', 'd', 'e'], 'x')).toEqual({
      a: { b: 1, c: 2, d: { e: 'x' } },
    });
    expect(values).toEqual({ a: { b: 1, c: 2 } });
  });
});
