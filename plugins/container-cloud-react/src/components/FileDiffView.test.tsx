import { render, screen } from '@testing-library/react';
import { FileDiffView } from './FileDiffView';

describe('FileDiffView', () => {
  it('shows each file with its removed, added and kept lines', () => {
    render(
      <FileDiffView
        files={[
          {
            file: 'payments.conf',
            lines: [
              { op: ' ', text: 'upstream payments {' },
              { op: '-', text: '  server 10.0.0.1:8080;' },
              { op: '+', text: '  server 10.0.0.2:8080;' },
            ],
          },
        ]}
      />,
    );
    const diff = screen.getByLabelText('diff of payments.conf');
    expect(diff).toHaveTextContent('- server 10.0.0.1:8080;');
    expect(diff).toHaveTextContent('+ server 10.0.0.2:8080;');
    expect(screen.getByText('payments.conf')).toBeInTheDocument();
  });

  it('says when nothing differs', () => {
    render(<FileDiffView files={[]} emptyText="Nothing changed." />);
    expect(screen.getByText('Nothing changed.')).toBeInTheDocument();
  });
});
