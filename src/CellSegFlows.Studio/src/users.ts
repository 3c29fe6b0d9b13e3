import { api, ApiError } from './api';
import { appendAll, clear, h, time } from './dom';
import type { View } from './main';

const roles = ['viewer', 'editor', 'operator', 'admin'];

/** Users and API keys (admin): add users, change roles, disable; create keys (shown once) and revoke them. */
export const usersView: View = async (root, ctx) => {
  if (!ctx.me.can.includes('administer')) {
    appendAll(root, h('p', { class: 'error' }, 'Only an admin manages users and keys.'));
    return;
  }
  const box = h('div', {});
  appendAll(root, h('div', { class: 'toolbar' }, h('h1', {}, 'Users and API keys')), box);
  const fail = (e: unknown) => ctx.toast(e instanceof ApiError ? e.message : String(e), 'error');

  const load = async () => {
    const [users, keys] = await Promise.all([api.users(), api.keys()]);
    clear(box);
    const name = h('input', { placeholder: 'name', 'data-testid': 'new-user-name' });
    const role = h('select', { 'data-testid': 'new-user-role' }, roles.map((r) => h('option', { value: r }, r)));
    const password = h('input', { type: 'password', placeholder: 'password (8+), empty: keys only', 'data-testid': 'new-user-password' });
    const keyUser = h('select', { 'data-testid': 'new-key-user' }, users.map((u) => h('option', { value: u.name }, u.name)));
    const keyLabel = h('input', { placeholder: 'label', 'data-testid': 'new-key-label' });
    appendAll(box,
      h('section', { class: 'card' }, h('h3', {}, 'Users'),
        h('table', { class: 'table small', 'data-testid': 'users' },
          h('thead', {}, h('tr', {}, ['user', 'role', 'password', 'created', 'state'].map((c) => h('th', {}, c)))),
          h('tbody', {}, users.map((u) => {
            const roleSelect = h('select', { 'data-user-role': u.name }, roles.map((r) => h('option', { value: r, selected: r === u.role }, r)));
            roleSelect.addEventListener('change', () => void api.updateUser(u.name, { role: roleSelect.value }).then(load, fail));
            return h('tr', {}, h('td', {}, u.name), h('td', {}, roleSelect), h('td', {}, u.hasPassword ? 'yes' : 'keys only'), h('td', {}, time(u.createdAt)),
              h('td', {}, u.disabled ? 'disabled ' : 'active ', h('button', { class: 'small', onclick: () => void api.updateUser(u.name, { disabled: !u.disabled }).then(load, fail) }, u.disabled ? 'Enable' : 'Disable')));
          }))),
        h('form', {
          class: 'inline', onsubmit: (e: Event) => {
            e.preventDefault();
            void api.addUser(name.value, role.value, password.value || null).then(() => { ctx.toast(`added ${name.value}`); return load(); }, fail);
          },
        }, name, role, password, h('button', { type: 'submit', 'data-testid': 'add-user' }, 'Add user'))),
      h('section', { class: 'card' }, h('h3', {}, 'API keys'), h('p', { class: 'muted small' }, 'Send a key as the X-Api-Key header; it acts with its user\'s role.'),
        keys.length === 0 ? h('p', { class: 'muted' }, 'None.') : h('table', { class: 'table small', 'data-testid': 'keys' },
          h('thead', {}, h('tr', {}, ['key', 'user', 'label', 'created', 'last used', ''].map((c) => h('th', {}, c)))),
          h('tbody', {}, keys.map((k) => h('tr', {}, h('td', {}, h('code', {}, k.id)), h('td', {}, k.userName), h('td', {}, k.label ?? ''), h('td', {}, time(k.createdAt)), h('td', {}, time(k.lastUsedAt)),
            h('td', {}, k.revoked ? 'revoked' : h('button', { class: 'small danger', onclick: () => void api.revokeKey(k.id).then(load, fail) }, 'Revoke')))))),
        h('form', {
          class: 'inline', onsubmit: (e: Event) => {
            e.preventDefault();
            void api.addKey(keyUser.value, keyLabel.value || null).then(async (k) => {
              await load();
              box.prepend(h('div', { class: 'card warn', 'data-testid': 'new-key' }, 'New key for ', k.userName, ' — copy it now, it is not shown again: ', h('code', {}, k.key)));
            }, fail);
          },
        }, keyUser, keyLabel, h('button', { type: 'submit', 'data-testid': 'add-key' }, 'Create key'))));
  };
  await load();
};
