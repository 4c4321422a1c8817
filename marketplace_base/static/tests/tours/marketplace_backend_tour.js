/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** Ask the Python side of the test for a screenshot (see tests/test_tour.py). */
function screenshot(name) {
    return { content: `screenshot ${name}`, trigger: "body", run: () => console.log(`marketplace_screenshot:${name}`) };
}

function openMenu(xmlid) {
    return { content: `open ${xmlid}`, trigger: `.o_main_navbar [data-menu-xmlid="${xmlid}"]`, run: "click" };
}

registry.category("web_tour.tours").add("marketplace_backend_tour", {
    url: "/odoo",
    steps: () => [
        // Community's apps dropdown (Enterprise's home menu shows the app tiles at once)
        ...stepUtils.goToAppSteps("marketplace_base.menu_marketplace_root", "open the Marketplace app"),
        { content: "the dashboard shows the demo shop", trigger: '.o_kanban_record:contains("Demo Shop")' },
        screenshot("dashboard"),
        openMenu("marketplace_base.menu_marketplace_jobs"),
        { content: "open the tour's job", trigger: '.o_data_row:contains("Pending") td[name="job_type"]:contains("Create Sale Orders")', run: "click" },
        { content: "the job form", trigger: '.o_form_view .o_statusbar_status' },
        { content: "press Run Now", trigger: '.o_form_view button[name="action_run_now"]', run: "click" },
        { content: "the job is queued first for a runner", trigger: '.o_notification:contains("Queued first")' },
        { content: "it still waits: nothing runs in the browser's request",
          trigger: '.o_statusbar_status .o_arrow_button_current:contains("Pending")' },
        screenshot("job"),
        openMenu("marketplace_base.menu_marketplace_orders"),
        { content: "the demo order is listed", trigger: '.o_data_row:contains("DEMO-1001")' },
        screenshot("orders"),
        openMenu("marketplace_base.menu_marketplace_bindings"),
        { content: "the demo binding is listed", trigger: '.o_data_row:contains("FURN_0096")' },
        screenshot("bindings"),
        openMenu("marketplace_base.menu_marketplace_sync_rules"),
        { content: "the demo rule is listed", trigger: '.o_data_row:contains("Demo Shop")' },
    ],
});
