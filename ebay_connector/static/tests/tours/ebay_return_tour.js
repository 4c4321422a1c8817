/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** A Marketplace User answers a buyer's eBay return from Marketplace > After-Sale > Returns
 * (tests/test_return_tour.py): the returns waiting for them, the return's items, reason and deadline, Approve with an
 * RMA number; the answer is queued for eBay. */
registry.category("web_tour.tours").add("ebay_return_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("marketplace_base.menu_marketplace_root", "open the Marketplace app"),
        {
            content: "open After-Sale",
            trigger: '.o_main_navbar [data-menu-xmlid="marketplace_base.menu_marketplace_after_sale"]',
            run: "click",
        },
        {
            content: "open Returns",
            trigger: '.dropdown-item[data-menu-xmlid="marketplace_base.menu_marketplace_returns"]',
            run: "click",
        },
        {
            content: "the open returns are listed, the other salesperson's among them",
            trigger: '.o_list_view .o_data_row:contains("WRONG_SIZE")',
        },
        { content: "open the filters", trigger: ".o_searchview_dropdown_toggler", run: "click" },
        {
            content: "only what waits for me",
            trigger: '.o_filter_menu .dropdown-item:contains("Waiting for me")',
            run: "click",
        },
        { content: "the filter is on", trigger: '.o_searchview_facet:contains("Waiting for me")' },
        {
            content: "the other salesperson's return is left out",
            trigger: '.o_list_view:not(:has(.o_data_row:contains("WRONG_SIZE")))',
        },
        {
            content: "open the buyer's return",
            trigger: '.o_data_row:contains("DEFECTIVE_ITEM") td[name="order_id"]',
            run: "click",
        },
        {
            content: "the buyer's reason",
            trigger: '.o_form_view .o_field_widget[name="reason"]:contains("DEFECTIVE_ITEM")',
        },
        {
            content: "the buyer's comments",
            trigger: '.o_form_view .o_field_widget[name="buyer_comments"]:contains("It does not turn on")',
        },
        {
            content: "eBay's deadline to answer",
            trigger: '.o_form_view .o_field_widget[name="response_due_at"]:contains("/20")',
        },
        {
            content: "the item coming back",
            trigger: '.o_form_view .o_field_widget[name="line_ids"] .o_data_row:contains("Return tour lamp")',
        },
        {
            content: "still requested",
            trigger: '.o_statusbar_status .o_arrow_button_current:contains("Requested")',
        },
        {
            content: "the seller's RMA number",
            trigger: '.o_form_view .o_field_widget[name="rma_number"] input',
            run: "edit RMA-TOUR-1",
        },
        { content: "Approve", trigger: '.o_form_view button[name="action_approve"]', run: "click" },
        { content: "confirm", trigger: ".modal-footer .btn-primary", run: "click" },
        {
            content: "the answer is recorded and queued for eBay",
            trigger: '.o_form_view .o_field_widget[name="answer"]:contains("Approve")',
        },
        {
            content: "no second answer",
            trigger: '.o_form_view .o_form_statusbar:not(:has(button[name="action_approve"]))',
        },
    ],
});

/** Once eBay agreed (the answer's job ran): the return is approved and its return picking is one click away. */
registry.category("web_tour.tours").add("ebay_return_approved_tour", {
    steps: () => [
        {
            content: "the return is approved",
            trigger: '.o_statusbar_status .o_arrow_button_current:contains("Approved")',
        },
        {
            content: "the return picking's smart button",
            trigger: '.o_form_view .o-form-buttonbox button[name="action_view_picking"]',
            run: "click",
        },
        {
            content: "the receipt of the returned item",
            trigger: '.o_form_view .o_field_widget[name="move_ids_without_package"] .o_data_row:contains("Return tour lamp")',
        },
    ],
});
